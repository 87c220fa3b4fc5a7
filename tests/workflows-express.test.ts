// EXPRESS state machines on a live platform (one control plane with Express's limit
// set to 15 s by STRATUS_STATES_EXPRESS_MAX_SECONDS, one invoker), driven by the AWS
// CLI and @aws-sdk/client-sfn unchanged: creation refusing .sync, .waitForTaskToken
// and a log group that does not exist; StartSyncExecution's result; StartExecution's
// express: ARNs, with a reused name starting a new execution; the execution reads AWS
// refuses for Express; the limit ending an execution States.Timeout; and the history
// read back from CloudWatch Logs with `aws logs filter-log-events` at each level, line
// by line while an execution runs (EXPRESS and STANDARD), each event's line exactly once.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  InvalidArn,
  InvalidDefinition,
  InvalidLoggingConfiguration,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { createPgAccountStore, createPgExecutionStore, createPgLogEventStore } from "@stratus/control-plane";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { runAwsCli } from "./helpers/aws-cli.js";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./helpers/control-plane-process.js";
import { buildDist, type InvokerProcess, spawnInvoker } from "./helpers/invoker-process.js";
import { waitFor } from "./helpers/poll.js";
import { type StartedService, startPostgres, startRedis } from "./helpers/services.js";
import { REGION, ROLE } from "./helpers/workflows.js";

let services: StartedService[];
let db: pg.Pool;
let cp: ControlPlaneProcess;
let node: InvokerProcess;
let dir: string;
let credentials: { accessKeyId: string; secretAccessKey: string };
let account: string;
let sfn: SFNClient;
let syncSfn: SFNClient;
let cwl: CloudWatchLogsClient;
let lambda: LambdaClient;
let addArn: string;

beforeAll(async () => {
  await buildDist();
  services = await Promise.all([startPostgres(), startRedis()]);
  db = new pg.Pool({ connectionString: services[0]?.url, max: 2 });
  const internalToken = randomBytes(24).toString("hex");
  cp = await startControlPlaneProcess({
    databaseUrl: services[0]?.url as string,
    redisUrl: services[1]?.url as string,
    internalToken,
    extra: { STRATUS_STATES_EXPRESS_MAX_SECONDS: "15" },
  });
  node = await spawnInvoker({ redisUrl: services[1]?.url as string, controlPlaneUrl: cp.url, internalToken });
  const accounts = createPgAccountStore(db);
  const a = await accounts.createAccount(`express-${randomBytes(3).toString("hex")}`);
  const key = await accounts.createAccessKey(a.id);
  account = a.id;
  credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  const common = { endpoint: cp.url, region: REGION, credentials };
  sfn = new SFNClient(common);
  // The SDK sends StartSyncExecution to a `sync-` prefixed host; see docs/WORKFLOWS.md.
  syncSfn = new SFNClient({ ...common, disableHostPrefix: true });
  cwl = new CloudWatchLogsClient(common);
  lambda = new LambdaClient(common);
  dir = await mkdtemp(path.join(tmpdir(), "stratus-express-"));
  const fn = await deployFunction(lambda, "add", "exports.handler = async (e) => ({ n: e.n + 1 });");
  addArn = `arn:aws:lambda:${REGION}:${account}:function:${fn}`;
}, 240_000);

afterAll(async () => {
  for (const c of [sfn, syncSfn, cwl, lambda]) c?.destroy();
  await node?.stop();
  await cp?.stop();
  await db?.end();
  await Promise.all((services ?? []).map((s) => s.container.stop({ remove: true })));
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** The AWS CLI (`aws <service> ...`); its exit code and output. */
function cli(args: string[], env: Record<string, string> = {}) {
  return runAwsCli({ endpoint: cp.url, region: REGION, credentials }, dir, [...args, "--output", "json"], env);
}

async function ok(args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const r = await cli(args, env);
  if (r.code !== 0) throw new Error(`aws ${args.slice(0, 2).join(" ")}: ${r.stderr}`);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
}

const SYNC_ENV = { AWS_DISABLE_HOST_PREFIX_INJECTION: "true" };
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;
const groupArn = (group: string) => `arn:aws:logs:${REGION}:${account}:log-group:${group}:*`;
const logging = (group: string, level: string, includeExecutionData: boolean) => ({
  level,
  includeExecutionData,
  destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: groupArn(group) } }],
});

async function expressMachine(definition: unknown, loggingConfiguration?: unknown): Promise<string> {
  const out = await sfn.send(
    new CreateStateMachineCommand({
      name: unique("express"),
      type: "EXPRESS",
      roleArn: ROLE,
      definition: JSON.stringify(definition),
      ...(loggingConfiguration ? { loggingConfiguration } : {}),
    } as ConstructorParameters<typeof CreateStateMachineCommand>[0]),
  );
  return out.stateMachineArn as string;
}

interface LoggedEvent {
  id: string;
  type: string;
  details: Record<string, unknown>;
  execution_arn: string;
  stream: string;
}

/** The log group's events for one execution, parsed, once `last` has arrived. */
async function loggedEvents(group: string, executionArn: string, last: string) {
  return waitFor(
    async () => {
      const out = await ok(["logs", "filter-log-events", "--log-group-name", group]);
      const events = (out.events as { message: string; logStreamName: string }[])
        .map((e) => ({ ...(JSON.parse(e.message) as LoggedEvent), stream: e.logStreamName }))
        .filter((e) => e.execution_arn === executionArn);
      return events.some((e) => e.type === last) ? events : undefined;
    },
    30_000,
    { what: `${last} logged for ${executionArn}`, intervalMs: 300 },
  );
}

const addThenShape = () => ({
  StartAt: "Add",
  States: {
    Add: { Type: "Task", Resource: addArn, Next: "Shape" },
    Shape: { Type: "Pass", Parameters: { "result.$": "$.n" }, End: true },
  },
});

describe("EXPRESS state machines", () => {
  it("refuses .waitForTaskToken (CLI) and .sync (SDK) with InvalidDefinition, storing nothing", async () => {
    const name = unique("callback");
    const definition = {
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Parameters: { FunctionName: addArn, "Payload.$": "$" },
          End: true,
        },
      },
    };
    const r = await cli([
      "stepfunctions",
      "create-state-machine",
      "--name",
      name,
      "--type",
      "EXPRESS",
      "--role-arn",
      ROLE,
      "--definition",
      JSON.stringify(definition),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("InvalidDefinition");
    expect(r.stderr).toContain("Express state machine does not support '.waitForTaskToken' service integration");
    const sync = {
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: "arn:aws:states:::states:startExecution.sync:2",
          Parameters: { StateMachineArn: `arn:aws:states:${REGION}:${account}:stateMachine:x` },
          End: true,
        },
      },
    };
    await expect(expressMachine(sync)).rejects.toBeInstanceOf(InvalidDefinition);
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines?.map((m) => m.name)).not.toContain(name);
    // The same definition is a STANDARD machine's to run.
    const standard = await ok([
      "stepfunctions",
      "create-state-machine",
      "--name",
      name,
      "--role-arn",
      ROLE,
      "--definition",
      JSON.stringify(definition),
    ]);
    expect(standard.stateMachineArn).toMatch(/:stateMachine:/);
  });

  it("refuses a loggingConfiguration whose log group does not exist (CLI, SDK), storing nothing", async () => {
    const name = unique("nolog");
    const r = await cli([
      "stepfunctions",
      "create-state-machine",
      "--name",
      name,
      "--type",
      "EXPRESS",
      "--role-arn",
      ROLE,
      "--definition",
      JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", End: true } } }),
      "--logging-configuration",
      JSON.stringify(logging("/aws/vendedlogs/states/absent", "ALL", true)),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("InvalidLoggingConfiguration");
    await expect(
      expressMachine({ StartAt: "P", States: { P: { Type: "Pass", End: true } } }, logging("/absent", "ERROR", false)),
    ).rejects.toBeInstanceOf(InvalidLoggingConfiguration);
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines?.map((m) => m.name)).not.toContain(name);
  });

  it("answers StartSyncExecution with the result (CLI, SDK); STANDARD machines are refused", async () => {
    const arn = await expressMachine(addThenShape());
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    expect(described.type).toBe("EXPRESS");
    const out = await ok(
      ["stepfunctions", "start-sync-execution", "--state-machine-arn", arn, "--name", "same", "--input", '{"n":41}'],
      SYNC_ENV,
    );
    expect(out).toMatchObject({ status: "SUCCEEDED", name: "same", stateMachineArn: arn });
    expect(JSON.parse(out.output as string)).toEqual({ result: 42 });
    expect(out.executionArn).toMatch(
      new RegExp(`^arn:aws:states:${REGION}:${account}:express:${arn.split(":").pop()}:same:[0-9a-f-]{36}$`),
    );
    expect(out.billingDetails).toMatchObject({ billedMemoryUsedInMB: 64 });
    // The same name again is a new execution, not the first one answered again.
    const again = await syncSfn.send(
      new StartSyncExecutionCommand({ stateMachineArn: arn, name: "same", input: '{"n":1}' }),
    );
    expect(again.status).toBe("SUCCEEDED");
    expect(JSON.parse(again.output as string)).toEqual({ result: 2 });
    expect(again.executionArn).not.toBe(out.executionArn);
    const failing = await expressMachine({
      StartAt: "F",
      States: { F: { Type: "Fail", Error: "Custom.Error", Cause: "it had to" } },
    });
    const failed = await syncSfn.send(new StartSyncExecutionCommand({ stateMachineArn: failing }));
    expect(failed).toMatchObject({ status: "FAILED", error: "Custom.Error", cause: "it had to" });
    const standard = await ok([
      "stepfunctions",
      "create-state-machine",
      "--name",
      unique("standard"),
      "--role-arn",
      ROLE,
      "--definition",
      JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", End: true } } }),
    ]);
    const refused = await cli(
      ["stepfunctions", "start-sync-execution", "--state-machine-arn", standard.stateMachineArn as string],
      SYNC_ENV,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("StateMachineTypeNotSupported");
  }, 60_000);

  it("starts asynchronous executions under express: ARNs, refuses to read them, and logs them (ALL, with data)", async () => {
    const group = `/aws/vendedlogs/states/${unique("all")}`;
    await cwl.send(new CreateLogGroupCommand({ logGroupName: group }));
    const arn = await expressMachine(addThenShape(), logging(group, "ALL", true));
    const shown = await ok(["stepfunctions", "describe-state-machine", "--state-machine-arn", arn]);
    expect(shown.loggingConfiguration).toEqual(logging(group, "ALL", true));
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "again", input: '{"n":1}' }));
    const second = await ok([
      "stepfunctions",
      "start-execution",
      "--state-machine-arn",
      arn,
      "--name",
      "again",
      "--input",
      '{"n":10}',
    ]);
    expect(first.executionArn).toMatch(/:express:.+:again:[0-9a-f-]{36}$/);
    expect(second.executionArn).toMatch(/:express:.+:again:[0-9a-f-]{36}$/);
    expect(second.executionArn).not.toBe(first.executionArn);

    for (const op of ["describe-execution", "get-execution-history", "stop-execution"]) {
      const r = await cli(["stepfunctions", op, "--execution-arn", first.executionArn as string]);
      expect(r.code, op).not.toBe(0);
      expect(r.stderr).toContain("InvalidArn");
      expect(r.stderr).toContain("Resource type not valid in this context: express");
    }
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).rejects.toBeInstanceOf(
      InvalidArn,
    );
    const listed = await cli(["stepfunctions", "list-executions", "--state-machine-arn", arn]);
    expect(listed.stderr).toContain("StateMachineTypeNotSupported");

    const events = await loggedEvents(group, first.executionArn as string, "ExecutionSucceeded");
    expect(events.map((e) => e.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "LambdaFunctionSucceeded",
      "TaskStateExited",
      "PassStateEntered",
      "PassStateExited",
      "ExecutionSucceeded",
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i + 1)));
    expect(events.at(-1)?.details.output).toBe('{"result":2}');
    expect(events[0]?.stream).toMatch(/^states\//);
    const other = await loggedEvents(group, second.executionArn as string, "ExecutionSucceeded");
    expect(other.at(-1)?.details.output).toBe('{"result":11}');
  }, 90_000);

  it("ends an execution still running at the limit States.Timeout; ERROR and FATAL log only failures, without data", async () => {
    const group = `/aws/vendedlogs/states/${unique("fatal")}`;
    await ok(["logs", "create-log-group", "--log-group-name", group]);
    const waiting = { StartAt: "W", States: { W: { Type: "Wait", Seconds: 60, End: true } } };
    const arn = await expressMachine(waiting, logging(group, "FATAL", false));
    // Started asynchronously, the driver ends it just the same (started first: both run out together).
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const timedOut = await syncSfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{"secret":1}' }));
    expect(timedOut).toMatchObject({ status: "TIMED_OUT", error: "States.Timeout" });
    const events = await loggedEvents(group, started.executionArn as string, "ExecutionTimedOut");
    expect(events.map((e) => e.type)).toEqual(["ExecutionTimedOut"]);
    expect(events[0]?.details.error).toBe("States.Timeout");

    const errors = `/aws/vendedlogs/states/${unique("error")}`;
    await ok(["logs", "create-log-group", "--log-group-name", errors]);
    const failing = await expressMachine(
      {
        StartAt: "P",
        States: { P: { Type: "Pass", Next: "F" }, F: { Type: "Fail", Error: "E", Cause: "c" } },
      },
      logging(errors, "ERROR", false),
    );
    const failed = await syncSfn.send(
      new StartSyncExecutionCommand({ stateMachineArn: failing, input: '{"secret":1}' }),
    );
    expect(failed.status).toBe("FAILED");
    const logged = await loggedEvents(errors, failed.executionArn as string, "ExecutionFailed");
    expect(logged.map((e) => e.type)).toEqual(["FailStateEntered", "ExecutionFailed"]);
    expect(JSON.stringify(logged)).not.toContain("secret");
  }, 90_000);

  it("writes an execution's lines as it runs: the CLI and the SDK read them before its end, then the end, each once", async () => {
    const group = `/aws/vendedlogs/states/${unique("live")}`;
    await cwl.send(new CreateLogGroupCommand({ logGroupName: group }));
    const waits = {
      StartAt: "Add",
      States: {
        Add: { Type: "Task", Resource: addArn, Next: "W" },
        W: { Type: "Wait", Seconds: 600, End: true },
      },
    };
    const arn = await expressMachine(waits, logging(group, "ALL", true));
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"n":1}' }));
    const executionArn = started.executionArn as string;
    const early = [
      "ExecutionStarted",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "LambdaFunctionSucceeded",
      "TaskStateExited",
      "WaitStateEntered",
    ];
    // The execution is in its Wait until Express's limit ends it: what is read now is read before its end.
    const seen = await loggedEvents(group, executionArn, "WaitStateEntered");
    expect(seen.map((e) => e.type)).toEqual(early);
    expect(seen.find((e) => e.type === "TaskStateExited")?.details.output).toBe('{"n":2}');
    const stream = seen[0]?.stream as string;
    const filtered = await cwl.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNames: [stream] }));
    const read = await cwl.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }),
    );
    for (const events of [filtered.events, read.events]) {
      const types = (events ?? []).map((e) => JSON.parse(e.message as string).type);
      expect(types.slice(0, early.length)).toEqual(early);
    }
    // Read while it ran: the end was not among the lines (the Wait outlasts Express's limit).
    expect(seen.map((e) => e.type)).not.toContain("ExecutionTimedOut");
    expect(filtered.events?.some((e) => e.message?.includes("ExecutionTimedOut"))).toBe(false);
    const all = await loggedEvents(group, executionArn, "ExecutionTimedOut");
    expect(all.map((e) => e.type)).toEqual([...early, "ExecutionTimedOut"]);
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => String(i + 1)));
    expect(new Set(all.map((e) => e.stream))).toEqual(new Set([stream]));
  }, 90_000);

  it("writes a STANDARD execution's lines as it runs too (CLI, SDK); StopExecution adds the end once", async () => {
    const group = `/aws/vendedlogs/states/${unique("standard")}`;
    await ok(["logs", "create-log-group", "--log-group-name", group]);
    const machine = await ok([
      "stepfunctions",
      "create-state-machine",
      "--name",
      unique("standard-log"),
      "--role-arn",
      ROLE,
      "--definition",
      JSON.stringify({ StartAt: "W", States: { W: { Type: "Wait", Seconds: 3600, End: true } } }),
      "--logging-configuration",
      JSON.stringify(logging(group, "ALL", false)),
    ]);
    const started = await ok([
      "stepfunctions",
      "start-execution",
      "--state-machine-arn",
      machine.stateMachineArn as string,
      "--input",
      '{"secret":1}',
    ]);
    const executionArn = started.executionArn as string;
    // An hour's Wait: it runs until the test stops it.
    const seen = await loggedEvents(group, executionArn, "WaitStateEntered");
    expect(seen.map((e) => e.type)).toEqual(["ExecutionStarted", "WaitStateEntered"]);
    expect(seen[0]?.details.inputDetails).toEqual({ included: false });
    const filtered = await cwl.send(
      new FilterLogEventsCommand({ logGroupName: group, filterPattern: '{ $.type = "WaitStateEntered" }' }),
    );
    expect(filtered.events?.map((e) => JSON.parse(e.message as string).execution_arn)).toEqual([executionArn]);
    await sfn.send(new StopExecutionCommand({ executionArn, error: "Halt", cause: "the test is done" }));
    const all = await loggedEvents(group, executionArn, "ExecutionAborted");
    expect(all.map((e) => e.type)).toEqual(["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]);
    expect(all[2]?.details).toMatchObject({ error: "Halt", cause: "the test is done" });
    expect(JSON.stringify(all)).not.toContain("secret");
  }, 90_000);

  it("writes an append's lines in its transaction: of racing appends at one length (a dead driver's and its successor's), one's lines land", async () => {
    const group = `/aws/vendedlogs/states/${unique("race")}`;
    await cwl.send(new CreateLogGroupCommand({ logGroupName: group }));
    const machineArn = await expressMachine(
      { StartAt: "P", States: { P: { Type: "Pass", End: true } } },
      logging(group, "ALL", true),
    );
    const logStore = createPgLogEventStore(db);
    const failures: unknown[] = [];
    const store = createPgExecutionStore(db, undefined, {
      write: (tx, accountId, batch) => logStore.append([{ accountId, ...batch }], tx),
      failed: (_arn, err) => void failures.push(err),
    });
    // A Standard-shaped row at a revision the machine never had: no driver of the platform moves it.
    const name = unique("race");
    const arn = `arn:aws:states:${REGION}:${account}:execution:${machineArn.split(":").pop()}:${name}`;
    const at = new Date().toISOString();
    const started = { id: 1, previousEventId: 0, timestamp: at, type: "ExecutionStarted" };
    expect(
      (await store.create({ arn, accountId: account, machineArn, name, revision: 99, input: "{}", started })).created,
    ).toBe(true);
    const entered = (who: number) => ({
      id: 2,
      previousEventId: 1,
      timestamp: at,
      type: "PassStateEntered",
      stateEnteredEventDetails: { name: "P", input: JSON.stringify({ who }) },
    });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.append(arn, 1, [entered(i)], false)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const aborted = {
      id: 3,
      previousEventId: 2,
      timestamp: at,
      type: "ExecutionAborted",
      executionAbortedEventDetails: {},
    };
    expect(await store.append(arn, 2, [aborted], false)).toBe(true);
    const lines = await loggedEvents(group, arn, "ExecutionAborted");
    expect(lines.map((e) => e.type)).toEqual(["ExecutionStarted", "PassStateEntered", "ExecutionAborted"]);
    expect(JSON.parse(lines[1]?.details.input as string)).toEqual({ who: results.indexOf(true) });
    expect(failures).toEqual([]);
  }, 60_000);
});
