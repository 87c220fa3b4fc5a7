// Step Functions on a live platform (two control planes as processes, one invoker),
// driven by the AWS CLI and @aws-sdk/client-sfn unchanged: a Task → Choice → Map →
// Wait → Pass machine to the right output with a well-formed history, Retry then
// Catch, .waitForTaskToken answered by SendTaskSuccess, heartbeats and their timeout,
// nested executions (.sync:2 and .waitForTaskToken), StopExecution, the API's
// refusals, and executions that finish on the surviving control plane with each task
// run once per attempt after the other is kill -9'd mid-execution.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidDefinition,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StateMachineDoesNotExist,
  StateMachineTypeNotSupported,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { createPgExecutionStore } from "@stratus/control-plane";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { runAwsCli } from "./helpers/aws-cli.js";
import { waitFor } from "./helpers/poll.js";
import {
  count,
  expectWellFormed,
  otherAccount,
  pipeline,
  REGION,
  ROLE,
  runsOf,
  SOURCES,
  startWorkflowPlatform,
  type WorkflowPlatform,
} from "./helpers/workflows.js";

let p: WorkflowPlatform;
let dir: string;
let sfn: SFNClient;
let racing: pg.Pool;
const fns: Record<string, string> = {};
const arnOf = (name: string) => `arn:aws:lambda:${REGION}:${p.accountId}:function:${name}`;

beforeAll(async () => {
  p = await startWorkflowPlatform();
  dir = await mkdtemp(path.join(tmpdir(), "stratus-sfn-"));
  sfn = p.sfn(0);
  racing = new pg.Pool({ connectionString: p.services[0]?.url, max: 8 });
  for (const [key, source] of Object.entries(SOURCES)) fns[key] = await deployFunction(p.lambda, key, source);
}, 240_000);

afterAll(async () => {
  await racing?.end();
  await p?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** The AWS CLI against control plane `i`, its JSON output parsed. */
async function aws(args: string[], i = 0): Promise<Record<string, unknown>> {
  const target = { endpoint: p.cps[i]?.url as string, region: REGION, credentials: p.credentials };
  const r = await runAwsCli(target, dir, ["stepfunctions", ...args, "--output", "json"]);
  if (r.code !== 0) throw new Error(`aws stepfunctions ${args[0]}: ${r.stderr}`);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
}

async function cliError(args: string[]): Promise<string> {
  const target = { endpoint: p.cps[0]?.url as string, region: REGION, credentials: p.credentials };
  const r = await runAwsCli(target, dir, ["stepfunctions", ...args]);
  expect(r.code).not.toBe(0);
  return r.stderr;
}

async function machine(name: string, definition: unknown, client = sfn): Promise<string> {
  const out = await client.send(
    new CreateStateMachineCommand({
      name: `${name}-${Date.now()}`,
      definition: JSON.stringify(definition),
      roleArn: ROLE,
    }),
  );
  return out.stateMachineArn as string;
}

async function finished(executionArn: string, client = sfn, timeoutMs = 90_000) {
  return waitFor(
    async () => {
      const d = await client.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === "RUNNING" ? undefined : d;
    },
    timeoutMs,
    { what: `${executionArn} finished`, intervalMs: 250 },
  );
}

async function history(executionArn: string, client = sfn): Promise<HistoryEvent[]> {
  return (await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
}

describe("workflows", () => {
  it("runs Task → Choice → Map of 3 → Wait → Pass with the AWS CLI, with a well-formed history", async () => {
    const file = path.join(dir, "pipeline.json");
    await writeFile(file, JSON.stringify(pipeline(arnOf(fns.classify as string), arnOf(fns.square as string))));
    const made = await aws([
      "create-state-machine",
      "--name",
      `pipeline-${Date.now()}`,
      "--definition",
      `file://${file}`,
      "--role-arn",
      ROLE,
    ]);
    const started = await aws([
      "start-execution",
      "--state-machine-arn",
      made.stateMachineArn as string,
      "--input",
      '{"n":3}',
    ]);
    const arn = started.executionArn as string;
    const done = await waitFor(
      async () => {
        const d = await aws(["describe-execution", "--execution-arn", arn]);
        return d.status === "RUNNING" ? undefined : d;
      },
      90_000,
      { what: "pipeline finished", intervalMs: 500 },
    );
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output as string)).toEqual({ n: 3, kind: "big", squares: [1, 4, 9] });
    const cliHistory = await aws(["get-execution-history", "--execution-arn", arn]);
    expect((cliHistory.events as unknown[]).length).toBeGreaterThan(20);
    const events = await history(arn);
    expectWellFormed(events, "ExecutionSucceeded");
    expect(count(events, "LambdaFunctionScheduled")).toBe(1);
    expect(count(events, "TaskScheduled")).toBe(3);
    expect(count(events, "MapIterationSucceeded")).toBe(3);
    expect(count(events, "WaitStateEntered")).toBe(1);
    // Reversed, without data, a page at a time.
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: arn,
        reverseOrder: true,
        includeExecutionData: false,
        maxResults: 2,
      }),
    );
    expect(page.events?.map((e) => e.type)).toEqual(["ExecutionSucceeded", events[events.length - 2]?.type]);
    expect(page.events?.[0]?.executionSucceededEventDetails?.output).toBeUndefined();
    expect(page.nextToken).toBeDefined();
    const next = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: arn,
        reverseOrder: true,
        maxResults: 2,
        nextToken: page.nextToken,
      }),
    );
    expect(next.events?.[0]?.id).toBe(events.length - 2);
    expect(await runsOf(p.db, fns.square as string)).toBe(3);
  }, 120_000);

  it("retries a failing task, then catches its error (SDK)", async () => {
    const arn = await machine("retry-catch", {
      StartAt: "Broken",
      States: {
        Broken: {
          Type: "Task",
          Resource: arnOf(fns.broken as string),
          Retry: [{ ErrorEquals: ["CustomError"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }],
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.caught", Next: "Recovered" }],
          End: true,
        },
        Recovered: { Type: "Pass", End: true },
      },
    });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"x":1}' }));
    const done = await finished(executionArn as string);
    expect(done.status).toBe("SUCCEEDED");
    const out = JSON.parse(done.output as string) as { x: number; caught: { Error: string; Cause: string } };
    expect(out.x).toBe(1);
    expect(out.caught.Error).toBe("CustomError");
    expect(JSON.parse(out.caught.Cause).errorMessage).toBe("always broken");
    const events = await history(executionArn as string);
    expectWellFormed(events, "ExecutionSucceeded");
    expect(count(events, "LambdaFunctionScheduled")).toBe(3);
    expect(count(events, "LambdaFunctionFailed")).toBe(3);
    expect(await runsOf(p.db, fns.broken as string)).toBe(3);
  }, 120_000);

  it("waits for a task token until SendTaskSuccess (CLI), and refuses an unknown token", async () => {
    const arn = await machine("callback", {
      StartAt: "Ask",
      States: {
        Ask: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Parameters: { FunctionName: fns.echo, Payload: { "token.$": "$$.Task.Token" } },
          End: true,
        },
      },
    });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const token = await waitFor(
      async () => {
        const scheduled = (await history(executionArn as string)).find((e) => e.type === "TaskScheduled");
        const params = scheduled?.taskScheduledEventDetails?.parameters;
        return params ? (JSON.parse(params) as { Payload: { token: string } }).Payload.token : undefined;
      },
      30_000,
      { what: "task scheduled" },
    );
    // The function ran and answered; the task still waits for its token.
    await waitFor(async () => ((await runsOf(p.db, fns.echo as string)) >= 1 ? true : undefined), 30_000);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");
    await aws(["send-task-success", "--task-token", token, "--task-output", '{"answer":42}']);
    const done = await finished(executionArn as string);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output as string)).toEqual({ answer: 42 });
    // A token this service never hands out cannot be read; one in its form that names no task does not exist.
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: "nope", output: "{}" }))).rejects.toBeInstanceOf(
      InvalidToken,
    );
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: "0".repeat(64), output: "{}" })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    expect(await cliError(["send-task-success", "--task-token", token, "--task-output", "{}"])).toMatch(/TaskTimedOut/);
  }, 120_000);

  it("keeps a callback task alive while heartbeats come (SDK, CLI), then fails it with States.HeartbeatTimeout", async () => {
    const arn = await machine("heartbeat", {
      StartAt: "Ask",
      States: {
        Ask: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Parameters: { FunctionName: fns.echo, Payload: { "token.$": "$$.Task.Token" } },
          TimeoutSeconds: 300,
          HeartbeatSeconds: 15,
          Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.caught", Next: "Gave up" }],
          End: true,
        },
        "Gave up": { Type: "Pass", End: true },
      },
    });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: "{}" }));
    const token = await waitFor(
      async () => {
        const scheduled = (await history(executionArn as string)).find((e) => e.type === "TaskScheduled");
        const params = scheduled?.taskScheduledEventDetails?.parameters;
        return params ? (JSON.parse(params) as { Payload: { token: string } }).Payload.token : undefined;
      },
      30_000,
      { what: "task scheduled" },
    );
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await aws(["send-task-heartbeat", "--task-token", token]);
    // Twice HeartbeatSeconds of heartbeats every two seconds: the task is still waiting.
    const until = Date.now() + 32_000;
    while (Date.now() < until) {
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await new Promise((r) => setTimeout(r, 2_000));
    }
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");
    // No more heartbeats: the task times out, and States.Timeout catches it.
    const done = await finished(executionArn as string);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output as string).caught).toMatchObject({ Error: "States.HeartbeatTimeout" });
    const timedOut = (await history(executionArn as string)).find((e) => e.type === "TaskTimedOut");
    expect(timedOut?.taskTimedOutEventDetails?.error).toBe("States.HeartbeatTimeout");
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toBeInstanceOf(TaskTimedOut);
  }, 180_000);

  it("nests executions: .sync:2 waits for the child's output, .waitForTaskToken for the child's callback", async () => {
    const child = await machine("child", {
      StartAt: "Double",
      States: { Double: { Type: "Pass", Parameters: { "twice.$": "States.MathAdd($.n, $.n)" }, End: true } },
    });
    const waiter = await machine("waiter", { StartAt: "Hold", States: { Hold: { Type: "Pass", End: true } } });
    const parent = await machine("parent", {
      StartAt: "Run",
      States: {
        Run: {
          Type: "Task",
          Resource: "arn:aws:states:::states:startExecution.sync:2",
          Parameters: { StateMachineArn: child, Input: { n: 21 } },
          ResultSelector: { "twice.$": "$.Output.twice" },
          Next: "Ask",
        },
        Ask: {
          Type: "Task",
          Resource: "arn:aws:states:::states:startExecution.waitForTaskToken",
          Parameters: { StateMachineArn: waiter, Input: { "token.$": "$$.Task.Token" } },
          ResultPath: "$.answer",
          End: true,
        },
      },
    });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: parent, input: "{}" }));
    // The waiter child starts and ends at once; the parent still waits for the token it was given.
    const started = await waitFor(
      async () => {
        const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: waiter }));
        const e = list.executions?.find((x) => x.status === "SUCCEEDED");
        return e ? sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn })) : undefined;
      },
      60_000,
      { what: "waiter child ended" },
    );
    const { token } = JSON.parse(started.input as string) as { token: string };
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
    const done = await finished(executionArn as string);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output as string)).toEqual({ twice: 42, answer: { ok: true } });
  }, 120_000);

  it("stops an execution (CLI): ABORTED with the error and cause given", async () => {
    const arn = await machine("stop", { StartAt: "Long", States: { Long: { Type: "Wait", Seconds: 600, End: true } } });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "to-stop" }));
    await waitFor(
      async () =>
        (await history(executionArn as string)).some((e) => e.type === "WaitStateEntered") ? true : undefined,
      30_000,
    );
    await aws([
      "stop-execution",
      "--execution-arn",
      executionArn as string,
      "--error",
      "Halt",
      "--cause",
      "by the test",
    ]);
    const d = await aws(["describe-execution", "--execution-arn", executionArn as string]);
    expect(d).toMatchObject({ status: "ABORTED", error: "Halt", cause: "by the test" });
    expectWellFormed(await history(executionArn as string), "ExecutionAborted");
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: "ABORTED" }));
    expect(listed.executions?.map((e) => e.name)).toEqual(["to-stop"]);
    // A closed execution's name is taken for good.
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "to-stop" }))).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
  }, 60_000);

  it("refuses bad input by AWS's names, with nothing stored; another account's machine is not found", async () => {
    const bad = { StartAt: "Nowhere", States: { A: { Type: "Pass", End: true } } };
    const refused = sfn.send(
      new CreateStateMachineCommand({ name: "bad", definition: JSON.stringify(bad), roleArn: ROLE }),
    );
    await expect(refused).rejects.toBeInstanceOf(InvalidDefinition);
    await expect(refused).rejects.toThrow(/Nowhere|StartAt/);
    expect(await cliError(["create-state-machine", "--name", "bad", "--definition", "{", "--role-arn", ROLE])).toMatch(
      /InvalidDefinition/,
    );
    expect((await aws(["list-state-machines"])).stateMachines).not.toContainEqual(
      expect.objectContaining({ name: "bad" }),
    );
    const invalid = await aws(["validate-state-machine-definition", "--definition", JSON.stringify(bad)]);
    expect(invalid.result).toBe("FAIL");
    expect((invalid.diagnostics as unknown[]).length).toBeGreaterThan(0);
    const ok = { StartAt: "A", States: { A: { Type: "Pass", End: true } } };
    expect((await aws(["validate-state-machine-definition", "--definition", JSON.stringify(ok)])).result).toBe("OK");
    await expect(
      sfn.send(new CreateStateMachineCommand({ name: "bad name!", definition: JSON.stringify(ok), roleArn: ROLE })),
    ).rejects.toBeInstanceOf(InvalidName);
    const arn = await machine("pass", ok);
    const missing = arn.replace(/:stateMachine:.*/, ":stateMachine:missing");
    // Its versions: none, publishing being refused (Terraform lists them after every create and refresh).
    expect(
      (await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }))).stateMachineVersions,
    ).toEqual([]);
    await expect(sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: missing }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    // What means "no encryption, nothing published" is accepted; asking for either is refused by name.
    const plain = await sfn.send(
      new CreateStateMachineCommand({
        name: `plain-${Date.now()}`,
        definition: JSON.stringify(ok),
        roleArn: ROLE,
        encryptionConfiguration: { type: "AWS_OWNED_KEY" },
        publish: false,
      }),
    );
    expect(plain.stateMachineArn).toMatch(/:stateMachine:plain-/);
    const keyed = sfn.send(
      new CreateStateMachineCommand({
        name: `keyed-${Date.now()}`,
        definition: JSON.stringify(ok),
        roleArn: ROLE,
        encryptionConfiguration: {
          type: "CUSTOMER_MANAGED_KMS_KEY",
          kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
        },
      }),
    );
    await expect(keyed).rejects.toThrow(/'encryptionConfiguration' is not supported by Stratus/);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: missing }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    expect(await cliError(["describe-execution", "--execution-arn", "arn:aws:states:us-east-1:1:nope"])).toMatch(
      /InvalidArn/,
    );
    // Another account sees nothing of this one's.
    const other = new SFNClient({ endpoint: p.cps[0]?.url, region: REGION, credentials: await otherAccount(p.db) });
    await expect(other.send(new StartExecutionCommand({ stateMachineArn: arn }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    await expect(other.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    other.destroy();
    // Names are idempotent: the same name and input answer the same execution while it runs.
    const waiting = await machine("idem", { StartAt: "W", States: { W: { Type: "Wait", Seconds: 600, End: true } } });
    const first = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: waiting, name: "once", input: '{"a":1}' }),
    );
    const again = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: waiting, name: "once", input: '{"a":1}' }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: waiting, name: "once", input: '{"a":2}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(await cliError(["start-execution", "--state-machine-arn", waiting, "--input", "{oops"])).toMatch(
      /InvalidExecutionInput/,
    );
  }, 60_000);

  it("keeps a running execution on its revision when the machine is updated; tags and lists (CLI)", async () => {
    const v1 = {
      StartAt: "W",
      States: { W: { Type: "Wait", Seconds: 2, Next: "P" }, P: { Type: "Pass", Result: "v1", End: true } },
    };
    const v2 = { StartAt: "P", States: { P: { Type: "Pass", Result: "v2", End: true } } };
    const arn = await machine("revisions", v1);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const updated = await aws(["update-state-machine", "--state-machine-arn", arn, "--definition", JSON.stringify(v2)]);
    expect(updated.revisionId).toBe("2");
    const described = await aws(["describe-state-machine", "--state-machine-arn", arn]);
    expect(JSON.parse(described.definition as string)).toEqual(v2);
    expect(JSON.parse((await finished(executionArn as string)).output as string)).toBe("v1");
    const later = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    expect(JSON.parse((await finished(later.executionArn as string)).output as string)).toBe("v2");
    await aws(["tag-resource", "--resource-arn", arn, "--tags", "key=team,value=core", "key=env,value=test"]);
    await aws(["untag-resource", "--resource-arn", arn, "--tag-keys", "env"]);
    expect((await aws(["list-tags-for-resource", "--resource-arn", arn])).tags).toEqual([
      { key: "team", value: "core" },
    ]);
    const page = await aws(["list-executions", "--state-machine-arn", arn, "--max-items", "1"]);
    expect((page.executions as unknown[]).length).toBe(1);
    expect(page.NextToken).toBeDefined();
    await aws(["delete-state-machine", "--state-machine-arn", arn]);
    expect(await cliError(["describe-state-machine", "--state-machine-arn", arn])).toMatch(/StateMachineDoesNotExist/);
    // Its executions stay readable.
    expect((await aws(["describe-execution", "--execution-arn", executionArn as string])).status).toBe("SUCCEEDED");
  }, 60_000);

  it("runs an EXPRESS machine with StartSyncExecution (SDK and CLI, host prefix off); refuses it for STANDARD", async () => {
    const definition = JSON.stringify({
      StartAt: "Add",
      States: {
        Add: { Type: "Task", Resource: arnOf(fns.add as string), Next: "Shape" },
        Shape: { Type: "Pass", Parameters: { "result.$": "$.n" }, End: true },
      },
    });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: `express-${Date.now()}`, definition, roleArn: ROLE, type: "EXPRESS" }),
    );
    // The SDKs send StartSyncExecution to sync-<host>: an endpoint override turns that off.
    const direct = new SFNClient({
      endpoint: p.cps[0]?.url,
      region: REGION,
      credentials: p.credentials,
      disableHostPrefix: true,
    });
    const out = await direct.send(new StartSyncExecutionCommand({ stateMachineArn, input: '{"n":41}' }));
    direct.destroy();
    expect(out.status).toBe("SUCCEEDED");
    expect(JSON.parse(out.output as string)).toEqual({ result: 42 });
    expect(out.stopDate).toBeInstanceOf(Date);
    const target = { endpoint: p.cps[0]?.url as string, region: REGION, credentials: p.credentials };
    const cli = await runAwsCli(
      target,
      dir,
      ["stepfunctions", "start-sync-execution", "--state-machine-arn", stateMachineArn as string, "--input", '{"n":1}'],
      { AWS_DISABLE_HOST_PREFIX_INJECTION: "true" },
    );
    expect(cli.stderr).toBe("");
    expect(JSON.parse(JSON.parse(cli.stdout).output)).toEqual({ result: 2 });
    const standard = await machine("standard", { StartAt: "P", States: { P: { Type: "Pass", End: true } } });
    const refused = new SFNClient({
      endpoint: p.cps[0]?.url,
      region: REGION,
      credentials: p.credentials,
      disableHostPrefix: true,
    });
    await expect(refused.send(new StartSyncExecutionCommand({ stateMachineArn: standard }))).rejects.toBeInstanceOf(
      StateMachineTypeNotSupported,
    );
    refused.destroy();
  }, 60_000);

  it("appends to a history in Postgres by compare-and-set: of racing appends on one length, exactly one lands; retention purges it", async () => {
    const store = createPgExecutionStore(racing);
    const name = `race-${Date.now()}`;
    const arn = `arn:aws:states:${REGION}:${p.accountId}:execution:race:${name}`;
    const at = new Date().toISOString();
    const started = { id: 1, previousEventId: 0, timestamp: at, type: "ExecutionStarted" };
    const machineArn = `arn:aws:states:${REGION}:${p.accountId}:stateMachine:race`;
    const row = { arn, accountId: p.accountId, machineArn, name, revision: 1, input: "{}", started };
    expect((await store.create(row)).created).toBe(true);
    expect((await store.create(row)).created).toBe(false);
    const entered = (who: number) => ({ id: 2, previousEventId: 1, timestamp: at, type: "PassStateEntered", who });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.append(arn, 1, [entered(i)], false)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const events = await store.read(arn);
    expect(events.map((e) => e.id)).toEqual([1, 2]);
    expect(events[1]?.who).toBe(results.indexOf(true));
    expect(await store.append(arn, 1, [entered(9)], false)).toBe(false);
    const aborted = {
      id: 3,
      previousEventId: 2,
      timestamp: at,
      type: "ExecutionAborted",
      executionAbortedEventDetails: {},
    };
    expect(await store.append(arn, 2, [aborted], false)).toBe(true);
    expect(await store.get(arn)).toMatchObject({ status: "ABORTED", historyLength: 3 });
    expect(await store.append(arn, 3, [{ ...aborted, id: 4 }], false)).toBe(false);
    // Past its retention it goes, history and all (every execution ended so far goes with it).
    expect(await store.purgeEnded(new Date(Date.now() + 60_000), 10_000)).toBeGreaterThanOrEqual(1);
    expect(await store.get(arn)).toBeUndefined();
    expect(await store.read(arn)).toEqual([]);
  });

  it("finishes executions on the surviving control plane after the other is kill -9'd, each task run once per attempt", async () => {
    const arn = await machine("failover", {
      StartAt: "One",
      States: {
        One: { Type: "Task", Resource: arnOf(fns.add as string), Next: "Pause" },
        Pause: { Type: "Wait", Seconds: 4, Next: "Two" },
        Two: { Type: "Task", Resource: arnOf(fns.add as string), End: true },
      },
    });
    const before = await runsOf(p.db, fns.add as string);
    const arns: string[] = [];
    for (let i = 0; i < 6; i++) {
      const out = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ n: i * 10 }) }),
      );
      arns.push(out.executionArn as string);
    }
    // Every execution is in its Wait: kill the control plane they were started on.
    await waitFor(
      async () => {
        const all = await Promise.all(arns.map((a) => history(a)));
        return all.every((h) => h.some((e) => e.type === "WaitStateEntered")) ? true : undefined;
      },
      60_000,
      { what: "every execution waiting", intervalMs: 250 },
    );
    p.cps[0]?.process.kill("SIGKILL");
    await p.cps[0]?.exited;
    const survivor = p.sfn(1);
    for (const [i, a] of arns.entries()) {
      const done = await finished(a, survivor);
      expect(done.status).toBe("SUCCEEDED");
      expect(JSON.parse(done.output as string)).toEqual({ n: i * 10 + 2 });
      const events = await history(a, survivor);
      expectWellFormed(events, "ExecutionSucceeded");
      expect(count(events, "LambdaFunctionScheduled")).toBe(2);
    }
    // One run per scheduled task: none lost, none doubled.
    expect((await runsOf(p.db, fns.add as string)) - before).toBe(2 * arns.length);
  }, 180_000);
});
