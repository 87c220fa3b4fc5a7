// Executions survive a control plane kill -9'd twice while tasks are in flight: many
// executions of a Map of 5 Lambda tasks (some failing once and retried) then a Wait,
// on two control planes (each its own process), one of them killed, restarted and
// killed again. Every execution must SUCCEED with the right output and a well-formed
// history; the task runs beyond one per scheduled attempt (a job lost with its control
// plane is run again: at-least-once) are counted and reported, never hidden.
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { waitFor } from "./helpers/poll.js";
import {
  count,
  expectWellFormed,
  REGION,
  ROLE,
  runsOf,
  startWorkflowPlatform,
  type WorkflowPlatform,
} from "./helpers/workflows.js";

const EXECUTIONS = Number(process.env.WORKFLOW_FAULT_EXECUTIONS ?? 200);
/** Doubles its item; an odd item fails on its first attempt (its retry count is 0). */
const SOURCE = `exports.handler = async (e) => {
  if (e.retry === 0 && e.v % 2 === 1) { const err = new Error("odd, first try"); err.name = "Flaky"; throw err; }
  return e.v * 2;
};`;

let p: WorkflowPlatform;
let fn: string;

beforeAll(async () => {
  p = await startWorkflowPlatform();
  fn = await deployFunction(p.lambda, "double", SOURCE);
}, 240_000);

afterAll(async () => {
  await p?.stop();
}, 120_000);

describe("workflows under control-plane kill -9", () => {
  it(`finishes ${EXECUTIONS} executions with the right output through two kills`, async () => {
    const sfn = p.sfn(1);
    const definition = {
      StartAt: "Each",
      States: {
        Each: {
          Type: "Map",
          ItemsPath: "$.items",
          MaxConcurrency: 5,
          ItemProcessor: {
            StartAt: "Double",
            States: {
              Double: {
                Type: "Task",
                Resource: `arn:aws:lambda:${REGION}:${p.accountId}:function:${fn}`,
                Parameters: { "v.$": "$", "retry.$": "$$.State.RetryCount" },
                Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }],
                End: true,
              },
            },
          },
          ResultPath: "$.doubled",
          Next: "Pause",
        },
        Pause: { Type: "Wait", Seconds: 1, Next: "Done" },
        Done: { Type: "Pass", End: true },
      },
    };
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: "faults", definition: JSON.stringify(definition), roleArn: ROLE }),
    );
    const arns: string[] = [];
    for (let i = 0; i < EXECUTIONS; i++) {
      const input = JSON.stringify({ id: i, items: [1, 2, 3, 4, 5] });
      arns.push((await sfn.send(new StartExecutionCommand({ stateMachineArn, input }))).executionArn as string);
    }
    const expected = 8 * EXECUTIONS; // five items, three of them retried once
    const killWhen = async (runs: number) => {
      await waitFor(async () => ((await runsOf(p.db, fn)) >= runs ? true : undefined), 300_000, {
        what: `${runs} task runs`,
        intervalMs: 100,
      });
      p.cps[0]?.process.kill("SIGKILL");
      await p.cps[0]?.exited;
    };
    await killWhen(Math.floor(expected / 4));
    await p.restart(0);
    await killWhen(Math.floor(expected / 2));
    const done = await waitFor(
      async () => {
        const all = await p.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM sfn_executions WHERE machine_arn = $1 AND status <> 'RUNNING'",
          [stateMachineArn],
        );
        return (all.rows[0]?.n ?? 0) === EXECUTIONS ? true : undefined;
      },
      600_000,
      { what: "every execution ended", intervalMs: 1000 },
    );
    expect(done).toBe(true);
    for (const [i, executionArn] of arns.entries()) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(d.status).toBe("SUCCEEDED");
      expect(JSON.parse(d.output as string)).toEqual({ id: i, items: [1, 2, 3, 4, 5], doubled: [2, 4, 6, 8, 10] });
      const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
      expectWellFormed(events, "ExecutionSucceeded");
      expect(count(events, "LambdaFunctionScheduled")).toBe(8);
    }
    const runs = await runsOf(p.db, fn);
    const duplicates = runs - expected;
    console.log(
      `workflow fault test: ${EXECUTIONS} executions, ${expected} task attempts, ${runs} runs, ${duplicates} duplicate run(s)`,
    );
    expect(duplicates).toBeGreaterThanOrEqual(0);
  }, 900_000);
});
