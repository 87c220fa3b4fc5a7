// The AWS CLI (botocore's parsers, not the JS SDK) on Step Functions past create and
// start: a waiting task failed by SendTaskFailure (and heartbeats refused after), state
// machines listed a page at a time, updated by role alone and deleted, tags added and
// removed, definitions validated, each change read back, and Step Functions' refusals
// by its error names.
import { beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const ROLE = "arn:aws:iam::123456789012:role/workflows";
const PASS = JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", End: true } } });

const stack = useStack();
const aws = useAwsCli(stack, "stratus-cli-states-");
let fn: string;

beforeAll(async () => {
  fn = await deployFunction(stack.lambda, "cli-ask", "exports.handler = async (e) => e;");
});

const { json: sfn, silent, failure } = cliCommands(aws, "stepfunctions");

const machineArn = (name: string) =>
  `arn:aws:states:${stack.region}:${stack.credentials.accountId}:stateMachine:${name}`;

/** A STANDARD machine named `name` made through the CLI; its ARN. */
async function createMachine(name: string, definition = PASS): Promise<string> {
  const made = await sfn<{ stateMachineArn: string }>(
    ...["create-state-machine", "--name", name, "--definition", definition, "--role-arn", ROLE],
  );
  expect(made.stateMachineArn).toBe(machineArn(name));
  return made.stateMachineArn;
}

type HistoryEvent = { type: string; taskScheduledEventDetails?: { parameters: string } } & Record<string, unknown>;
const history = async (executionArn: string) =>
  (await sfn<{ events: HistoryEvent[] }>("get-execution-history", "--execution-arn", executionArn)).events;

describe("Step Functions task callbacks through the AWS CLI", () => {
  it("fails a waiting task with SendTaskFailure, and refuses its token after", async () => {
    const definition = JSON.stringify({
      StartAt: "Ask",
      States: {
        Ask: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Parameters: { FunctionName: fn, Payload: { "token.$": "$$.Task.Token" } },
          TimeoutSeconds: 120,
          End: true,
        },
      },
    });
    const arn = await createMachine(uniqueName("cli-ask"), definition);
    const { executionArn } = await sfn<{ executionArn: string }>("start-execution", "--state-machine-arn", arn);
    const token = await waitFor(
      async () => {
        const scheduled = (await history(executionArn)).find((e) => e.type === "TaskScheduled");
        const params = scheduled?.taskScheduledEventDetails?.parameters;
        return params ? (JSON.parse(params) as { Payload: { token: string } }).Payload.token : undefined;
      },
      30_000,
      { what: "the task scheduled", intervalMs: 500 },
    );
    await silent("send-task-heartbeat", "--task-token", token);
    await silent("send-task-failure", "--task-token", token, "--error", "Order.Rejected", "--cause", "out of stock");

    const done = await waitFor(
      async () => {
        const d = await sfn<{ status: string }>("describe-execution", "--execution-arn", executionArn);
        return d.status === "RUNNING" ? undefined : d;
      },
      20_000,
      { what: "the execution's end", intervalMs: 300 },
    );
    expect(done).toMatchObject({ status: "FAILED", error: "Order.Rejected", cause: "out of stock" });
    const events = await history(executionArn);
    expect(events.find((e) => e.type === "TaskFailed")?.taskFailedEventDetails).toMatchObject({
      error: "Order.Rejected",
      cause: "out of stock",
      resourceType: "lambda",
    });
    expect(events.at(-1)?.type).toBe("ExecutionFailed");

    // The task has had its answer: its token is refused, and the execution keeps its end.
    expect(await failure("send-task-failure", "--task-token", token, "--error", "Again")).toMatch(/\(TaskTimedOut\)/);
    expect(await failure("send-task-heartbeat", "--task-token", token)).toMatch(/\(TaskTimedOut\)/);
    expect(await sfn("describe-execution", "--execution-arn", executionArn)).toMatchObject({
      status: "FAILED",
      error: "Order.Rejected",
    });
    expect(await failure("send-task-failure", "--task-token", "no-such-token")).toMatch(/\(InvalidToken\)/);
    expect(await failure("send-task-failure", "--task-token", "0".repeat(64))).toMatch(/\(TaskDoesNotExist\)/);
  }, 60_000);
});

describe("Step Functions state machines through the AWS CLI", () => {
  type Listed = { stateMachineArn: string; name: string; type: string; creationDate: number };

  it("lists machines a page at a time, and deletes one", async () => {
    const prefix = uniqueName("cli-list");
    const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
    for (const name of names) await createMachine(name);
    const ours = (all: Listed[]) => all.filter((m) => m.name.startsWith(prefix));

    // One machine a page: the CLI follows nextToken to the end.
    const all = await sfn<{ stateMachines: Listed[] }>("list-state-machines", "--page-size", "1");
    expect(ours(all.stateMachines)).toEqual(
      names.map((name) => ({
        stateMachineArn: machineArn(name),
        name,
        type: "STANDARD",
        creationDate: expect.any(Number),
      })),
    );
    expect(Math.abs((ours(all.stateMachines)[0]?.creationDate ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    // Asked for one page of one, the CLI shows the token of the next.
    const first = await sfn<{ stateMachines: Listed[]; NextToken?: string }>("list-state-machines", "--max-items", "1");
    expect(first.stateMachines).toHaveLength(1);
    expect(first.NextToken).toEqual(expect.any(String));

    await silent("delete-state-machine", "--state-machine-arn", machineArn(`${prefix}-b`));
    const left = await sfn<{ stateMachines: Listed[] }>("list-state-machines");
    expect(ours(left.stateMachines).map((m) => m.name)).toEqual([`${prefix}-a`, `${prefix}-c`]);
    expect(await failure("describe-state-machine", "--state-machine-arn", machineArn(`${prefix}-b`))).toMatch(
      /\(StateMachineDoesNotExist\)/,
    );
    expect(await sfn("list-state-machine-versions", "--state-machine-arn", machineArn(`${prefix}-a`))).toEqual({
      stateMachineVersions: [],
    });
    expect(await failure("list-state-machine-versions", "--state-machine-arn", machineArn(`${prefix}-b`))).toMatch(
      /\(StateMachineDoesNotExist\)/,
    );
    // As in Step Functions, deleting a machine that is not there succeeds.
    await silent("delete-state-machine", "--state-machine-arn", machineArn(`${prefix}-b`));
  });

  it("updates a machine's role alone, and refuses an update that changes nothing or names no machine", async () => {
    const name = uniqueName("cli-update");
    const arn = await createMachine(name);
    const other = "arn:aws:iam::123456789012:role/other";
    const updated = await sfn<{ updateDate: number; revisionId: string }>(
      ...["update-state-machine", "--state-machine-arn", arn, "--role-arn", other],
    );
    expect(updated).toEqual({ updateDate: expect.any(Number), revisionId: "2" });
    expect(await sfn("describe-state-machine", "--state-machine-arn", arn)).toMatchObject({
      roleArn: other,
      definition: PASS,
      revisionId: "2",
      status: "ACTIVE",
    });
    expect(await failure("update-state-machine", "--state-machine-arn", arn)).toMatch(/\(ValidationException\)/);
    expect(
      await failure("update-state-machine", "--state-machine-arn", machineArn(uniqueName("none")), "--role-arn", other),
    ).toMatch(/\(StateMachineDoesNotExist\)/);
    const bad = JSON.stringify({ StartAt: "Nowhere", States: { P: { Type: "Pass", End: true } } });
    expect(await failure("update-state-machine", "--state-machine-arn", arn, "--definition", bad)).toMatch(
      /\(InvalidDefinition\)/,
    );
    expect(await sfn("describe-state-machine", "--state-machine-arn", arn)).toMatchObject({
      definition: PASS,
      revisionId: "2",
    });
  });

  it("validates definitions: FAIL with its diagnostics, OK with none", async () => {
    const bad = JSON.stringify({ StartAt: "Nowhere", States: { P: { Type: "Pass", End: true } } });
    const failed = await sfn<{ result: string; diagnostics: Array<Record<string, string>>; truncated: boolean }>(
      ...["validate-state-machine-definition", "--definition", bad],
    );
    expect(failed.result).toBe("FAIL");
    expect(failed.truncated).toBe(false);
    expect(failed.diagnostics.length).toBeGreaterThan(0);
    for (const d of failed.diagnostics) {
      expect(d).toMatchObject({ severity: "ERROR", code: expect.any(String), message: expect.any(String) });
    }
    expect(failed.diagnostics.map((d) => d.message).join(" ")).toMatch(/Nowhere/);
    expect(await sfn("validate-state-machine-definition", "--definition", PASS)).toEqual({
      result: "OK",
      diagnostics: [],
      truncated: false,
    });
  });

  it("tags and untags a machine, and answers a missing one with ResourceNotFound", async () => {
    const arn = await createMachine(uniqueName("cli-tags"));
    expect(await sfn("list-tags-for-resource", "--resource-arn", arn)).toEqual({ tags: [] });
    await silent("tag-resource", "--resource-arn", arn, "--tags", "key=team,value=core", "key=env,value=dev");
    await silent("tag-resource", "--resource-arn", arn, "--tags", "key=env,value=prod", "key=tier,value=1");
    const tags = await sfn<{ tags: Array<{ key: string; value: string }> }>(
      ...["list-tags-for-resource", "--resource-arn", arn],
    );
    expect(tags.tags.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "env", value: "prod" },
      { key: "team", value: "core" },
      { key: "tier", value: "1" },
    ]);
    await silent("untag-resource", "--resource-arn", arn, "--tag-keys", "env", "tier");
    expect(await sfn("list-tags-for-resource", "--resource-arn", arn)).toEqual({
      tags: [{ key: "team", value: "core" }],
    });

    const missing = machineArn(uniqueName("none"));
    expect(await failure("tag-resource", "--resource-arn", missing, "--tags", "key=a,value=b")).toMatch(
      /\(ResourceNotFound\)/,
    );
    expect(await failure("untag-resource", "--resource-arn", missing, "--tag-keys", "a")).toMatch(
      /\(ResourceNotFound\)/,
    );
    expect(await failure("list-tags-for-resource", "--resource-arn", missing)).toMatch(/\(ResourceNotFound\)/);
    expect(await failure("list-tags-for-resource", "--resource-arn", "arn:aws:states:nope")).toMatch(/\(InvalidArn\)/);
  });
});
