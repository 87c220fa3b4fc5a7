// What makes an EXPRESS state machine differ from a STANDARD one before it runs: only
// the Request Response integration pattern (no `.sync`, `.waitForTaskToken` or
// activities, refused at creation as Step Functions refuses them), and its executions'
// ARNs (`...:express:MACHINE:NAME:ID`: a name may be reused, so an id tells them apart).
import { randomUUID } from "node:crypto";
import type { Definition } from "./types.js";
import { walk } from "./validate.js";

/** Why Express cannot run the definition's tasks, one problem each (InvalidDefinition's form). */
export function expressProblems(definition: Definition): string[] {
  const problems: string[] = [];
  for (const [where, state] of walk(definition, "")) {
    if (state.Type !== "Task" || typeof state.Resource !== "string") continue;
    const resource = state.Resource;
    const at = `at ${where}/Resource`;
    if (/^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:activity:/.test(resource))
      problems.push(`SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN ${at}`);
    const pattern = /(\.sync(:2)?|\.waitForTaskToken)$/.exec(resource)?.[1];
    if (pattern && resource.startsWith("arn:aws") && resource.includes(":states:::"))
      problems.push(
        `SCHEMA_VALIDATION_FAILED: Express state machine does not support '${pattern}' service integration ${at}`,
      );
  }
  return problems;
}

/** An Express execution's longest run, unless configured shorter. */
export const EXPRESS_MS = 5 * 60_000;

export const expressTimeoutCause = (limitMs: number) =>
  `The Express execution ran longer than ${limitMs / 1000} seconds`;

export const isExpressArn = (arn: string) => /^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:express:/.test(arn);

/** A new Express execution's ARN; `id` fixed by the caller when the start must be idempotent. */
export const expressArn = (region: string, account: string, machine: string, name: string, id: string = randomUUID()) =>
  `arn:aws:states:${region}:${account}:express:${machine}:${name}:${id}`;

/** The name an execution was started with: an Express row keeps `NAME:ID`, unique per machine. */
export function executionName(row: { arn: string; name: string }): string {
  if (!isExpressArn(row.arn)) return row.name;
  return row.arn.split(":")[7] ?? row.name;
}

/** The row name an Express execution is stored under: its name and id, unique per machine. */
export const expressRowName = (arn: string) => arn.split(":").slice(7).join(":");
