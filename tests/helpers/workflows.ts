// A Step Functions test platform: Postgres, Redis, two control planes as processes
// (so one can be kill -9'd) and one invoker node reaching the one that stays up, an
// account with its SDK clients; the functions and machines the workflow tests run;
// and the checks every history must pass.
import { randomBytes } from "node:crypto";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { type HistoryEvent, SFNClient } from "@aws-sdk/client-sfn";
import { createPgAccountStore } from "@stratus/control-plane";
import pg from "pg";
import { expect } from "vitest";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./control-plane-process.js";
import { buildDist, type InvokerProcess, spawnInvoker } from "./invoker-process.js";
import { type StartedService, startPostgres, startRedis } from "./services.js";

export const REGION = "us-east-1";
export const ROLE = "arn:aws:iam::123456789012:role/workflows";

export interface WorkflowPlatform {
  services: StartedService[];
  db: pg.Pool;
  cps: ControlPlaneProcess[];
  node: InvokerProcess;
  accountId: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  lambda: LambdaClient;
  /** A client of control plane `i`. */
  sfn(i: number): SFNClient;
  /** Starts control plane `i` again (after a kill) on its port. */
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkflowPlatform(): Promise<WorkflowPlatform> {
  await buildDist();
  const services = await Promise.all([startPostgres(), startRedis()]);
  const db = new pg.Pool({ connectionString: services[0]?.url, max: 2 });
  const internalToken = randomBytes(24).toString("hex");
  const startCp = (port?: number) =>
    startControlPlaneProcess({
      ...(port ? { port } : {}),
      databaseUrl: services[0]?.url as string,
      redisUrl: services[1]?.url as string,
      internalToken,
      extra: { STRATUS_ASYNC_CONCURRENCY: "8" },
    });
  const cps = [await startCp(), await startCp()];
  const node = await spawnInvoker({
    redisUrl: services[1]?.url as string,
    controlPlaneUrl: cps[1]?.url as string,
    internalToken,
  });
  const accounts = createPgAccountStore(db);
  const account = await accounts.createAccount(`sfn-${randomBytes(3).toString("hex")}`);
  const key = await accounts.createAccessKey(account.id);
  const credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  const clients: SFNClient[] = [];
  const lambda = new LambdaClient({ endpoint: cps[1]?.url, region: REGION, credentials });
  return {
    services,
    db,
    cps,
    node,
    accountId: account.id,
    credentials,
    lambda,
    async restart(i) {
      cps[i] = await startCp(cps[i]?.port);
    },
    sfn(i) {
      const c = new SFNClient({ endpoint: cps[i]?.url, region: REGION, credentials });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.destroy();
      lambda.destroy();
      await node.stop();
      await Promise.all(cps.map((cp) => cp.stop()));
      await db.end();
      await Promise.all(services.map((s) => s.container.stop({ remove: true })));
    },
  };
}

/** Another account's credentials on the same platform. */
export async function otherAccount(db: pg.Pool) {
  const accounts = createPgAccountStore(db);
  const account = await accounts.createAccount(`sfn-other-${randomBytes(3).toString("hex")}`);
  const key = await accounts.createAccessKey(account.id);
  return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
}

/** How many times a function ran, from its async invocations' invoke counts. */
export async function runsOf(db: pg.Pool, functionName: string): Promise<number> {
  const res = await db.query<{ n: number }>(
    "SELECT coalesce(sum(invoke_count), 0)::int AS n FROM async_invocations WHERE function_name = $1",
    [functionName],
  );
  return res.rows[0]?.n ?? 0;
}

/** Ids 1..n without gaps, each pointing back, opened by ExecutionStarted and closed by `last`. */
export function expectWellFormed(events: HistoryEvent[], last: string): void {
  expect(events[0]?.type).toBe("ExecutionStarted");
  expect(events[events.length - 1]?.type).toBe(last);
  events.forEach((e, i) => {
    expect(e.id).toBe(i + 1);
    expect(e.previousEventId).toBeLessThan(e.id as number);
    expect(e.timestamp).toBeInstanceOf(Date);
  });
}

export const count = (events: HistoryEvent[], type: string) => events.filter((e) => e.type === type).length;

export const SOURCES = {
  classify: `exports.handler = async (e) => ({ ...e, kind: e.n > 2 ? "big" : "small", items: [1, 2, 3] });`,
  square: `exports.handler = async (e) => e * e;`,
  broken: `class CustomError extends Error { constructor(m) { super(m); this.name = "CustomError"; } }
exports.handler = async () => { throw new CustomError("always broken"); };`,
  echo: `exports.handler = async (e) => e;`,
  add: `exports.handler = async (e) => ({ n: e.n + 1 });`,
};

/** Task (a function) → Choice → Map of 3 lambda:invoke tasks → Wait 1s → Pass. */
export const pipeline = (classifyArn: string, squareArn: string) => ({
  Comment: "classify, square three items, wait, shape the output",
  StartAt: "Classify",
  States: {
    Classify: { Type: "Task", Resource: classifyArn, Next: "Route" },
    Route: {
      Type: "Choice",
      Choices: [{ Variable: "$.kind", StringEquals: "big", Next: "Squares" }],
      Default: "TooSmall",
    },
    TooSmall: { Type: "Fail", Error: "TooSmall", Cause: "n is too small" },
    Squares: {
      Type: "Map",
      ItemsPath: "$.items",
      ItemProcessor: {
        StartAt: "Square",
        States: {
          Square: {
            Type: "Task",
            Resource: "arn:aws:states:::lambda:invoke",
            Parameters: { FunctionName: squareArn, "Payload.$": "$" },
            OutputPath: "$.Payload",
            End: true,
          },
        },
      },
      ResultPath: "$.squares",
      Next: "Pause",
    },
    Pause: { Type: "Wait", Seconds: 1, Next: "Done" },
    Done: { Type: "Pass", Parameters: { "n.$": "$.n", "kind.$": "$.kind", "squares.$": "$.squares" }, End: true },
  },
});
