// Usage metering end to end: functions of two accounts with known memory sizes and
// sleeps are invoked (sync, a cold start among them, and an async function that fails
// and is retried), and the usage report must count each attempt once and bill it the
// REPORT line's Billed Duration (init included) times its memory, to the millisecond.
// Reports come as JSON, CSV and FOCUS, through the API and the stratus CLI; a monthly
// quota refuses invokes past it with 429.

import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  type LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import { createPgAsyncStore, createPgUsageRollupStore, createPgUsageStore } from "@stratus/control-plane";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import type { Credentials } from "./helpers/stack.js";
import { runStratus, stratusEnv } from "./helpers/stratus-cli.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_USAGE_QUOTA_REFRESH_MS: "200" } });

const SLEEPER =
  "exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return { slept: e.ms }; };";
const FAILER = "exports.handler = async () => { throw new Error('always fails'); };";

interface Line {
  AccountId: string;
  FunctionName: string;
  Requests: number;
  Errors: number;
  BilledMs: number;
  GbSeconds: number;
  ColdStarts: number;
  Cost: number;
}
interface Report {
  Since: string;
  Until: string;
  Currency: string;
  Functions: Line[];
  Total: Line;
}

/** What a function should be billed: its attempts' Billed Duration (from REPORT lines) at its memory. */
class Expected {
  billed: number[] = [];
  cold = 0;
  constructor(readonly memoryMb: number) {}
  add(log: string) {
    const report = log.split("\n").find((l) => l.startsWith("REPORT RequestId:")) ?? "";
    const billed = /Billed Duration: (\d+) ms/.exec(report);
    if (!billed) throw new Error(`no REPORT line in ${log}`);
    this.billed.push(Number(billed[1]));
    if (report.includes("Init Duration")) this.cold++;
  }
  get billedMs() {
    return this.billed.reduce((a, b) => a + b, 0);
  }
  get gbSeconds() {
    return this.billed.reduce((a, b) => a + (this.memoryMb / 1024) * (b / 1000), 0);
  }
}

let a: Credentials;
let b: Credentials;
let admin: Credentials;
let home: string;
const since = new Date(Date.now() - 3_600_000).toISOString();

async function deploy(client: LambdaClient, source: string, memoryMb: number): Promise<string> {
  const name = uniqueName("usage");
  await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/r",
      Handler: "index.handler",
      MemorySize: memoryMb,
      Code: { ZipFile: await nodeFunction(source) },
    }),
  );
  return name;
}

/** Invokes synchronously, asking for the log tail; returns the tail (with its REPORT line). */
async function invoke(client: LambdaClient, name: string, ms: number): Promise<string> {
  const out = await client.send(
    new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from(JSON.stringify({ ms })) }),
  );
  expect(out.StatusCode).toBe(200);
  return Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
}

async function usage(who: Credentials, query: string): Promise<Response> {
  return signedFetch(stack.endpoint, stack.region, who, `/stratus/2026-11-01/usage?Since=${since}&${query}`);
}

async function report(who: Credentials, query = ""): Promise<Report> {
  const res = await usage(who, query);
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
}

const lineOf = (r: Report, name: string) => r.Functions.find((f) => f.FunctionName === name);

function expectBilled(line: Line | undefined, e: Expected, errors = 0) {
  expect(line).toMatchObject({ Requests: e.billed.length, BilledMs: e.billedMs, Errors: errors, ColdStarts: e.cold });
  expect(line?.GbSeconds).toBeCloseTo(e.gbSeconds, 9);
}

describe("usage metering", () => {
  const fnA = { name: "", e: new Expected(128) };
  const fnB = { name: "", e: new Expected(512) };
  const fnFail = { name: "", e: new Expected(128) };

  beforeAll(async () => {
    admin = JSON.parse(await readFile(stack.adminKeyFile, "utf8")) as Credentials;
    a = await stack.newAccount(uniqueName("usage-a"));
    b = await stack.newAccount(uniqueName("usage-b"));
    home = await mkdtemp(path.join(tmpdir(), "usage-cli-"));
    const [ca, cb] = [stack.clientFor(a), stack.clientFor(b)];
    fnA.name = await deploy(ca, SLEEPER, 128);
    fnB.name = await deploy(cb, SLEEPER, 512);
    fnFail.name = await deploy(ca, FAILER, 128);
    // The first invoke of each is a cold start: its init is billed too.
    for (const ms of [30, 60, 90]) fnA.e.add(await invoke(ca, fnA.name, ms));
    for (const ms of [120, 10]) fnB.e.add(await invoke(cb, fnB.name, ms));
    expect(fnA.e.cold).toBe(1);
    expect(fnB.e.cold).toBe(1);
  }, 120_000);

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("bills sync invokes per account and function to the millisecond, init included", async () => {
    const r = await waitFor(async () => {
      const got = await report(a);
      return lineOf(got, fnA.name)?.Requests === 3 ? got : undefined;
    });
    expectBilled(lineOf(r, fnA.name), fnA.e);
    // Only the caller's own account's functions.
    expect(lineOf(r, fnB.name)).toBeUndefined();
    const rb = await waitFor(async () => {
      const got = await report(b);
      return lineOf(got, fnB.name)?.Requests === 2 ? got : undefined;
    });
    expectBilled(lineOf(rb, fnB.name), fnB.e);
    expect(rb.Functions).toHaveLength(1);
    expect(rb.Total.Cost).toBeCloseTo(2 * 0.0000002 + fnB.e.gbSeconds * 0.0000166667, 9);
    expect(rb.Currency).toBe("USD");
  }, 60_000);

  it("counts every attempt of a retried async invoke once", async () => {
    const client = stack.clientFor(a);
    await client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fnFail.name, MaximumRetryAttempts: 1 }));
    const out = await client.send(
      new InvokeCommand({ FunctionName: fnFail.name, InvocationType: "Event", Payload: Buffer.from("{}") }),
    );
    const id = out.$metadata.requestId as string;
    const attempts = await waitFor(async () => {
      const res = await signedFetch(stack.endpoint, stack.region, a, `/stratus/2026-11-01/invocations/${id}/log`);
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as { Attempts: { Log: string }[] };
      return body.Attempts.length === 2 ? body.Attempts : undefined;
    }, 30_000);
    for (const attempt of attempts) fnFail.e.add(attempt.Log);
    const r = await waitFor(async () => {
      const got = await report(a);
      return lineOf(got, fnFail.name)?.Requests === 2 ? got : undefined;
    }, 30_000);
    expectBilled(lineOf(r, fnFail.name), fnFail.e, 2);
    // The fact table holds one row per attempt, keyed by the invocation's id.
    const rows = await stack.db.query(
      "SELECT attempt, invocation_type, outcome FROM invocation_usage WHERE request_id = $1 ORDER BY attempt",
      [id],
    );
    expect(rows.rows).toEqual([
      { attempt: 1, invocation_type: "Event", outcome: "function_error" },
      { attempt: 2, invocation_type: "Event", outcome: "function_error" },
    ]);
  }, 60_000);

  it("lets an operator read every account, and no one else another's", async () => {
    const all = await report(admin, "Account=*");
    expect(lineOf(all, fnA.name)?.AccountId).toBe(a.accountId);
    expect(lineOf(all, fnB.name)?.AccountId).toBe(b.accountId);
    const one = await report(admin, `Account=${b.accountId}`);
    expect(one.Functions.map((f) => f.FunctionName)).toEqual([fnB.name]);
    const refused = await usage(b, `Account=${a.accountId}`);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-amzn-errortype")).toMatch(/^AccessDeniedException/);
  });

  it("renders CSV and FOCUS, and refuses a range too long or a format unknown", async () => {
    const csv = parse(await (await usage(b, "Format=csv")).text(), { columns: true }) as Record<string, string>[];
    expect(csv).toEqual([
      expect.objectContaining({
        AccountId: b.accountId,
        FunctionName: fnB.name,
        Requests: "2",
        BilledMs: String(fnB.e.billedMs),
      }),
    ]);
    const focus = parse(await (await usage(b, "Format=focus")).text(), { columns: true }) as Record<string, string>[];
    expect(focus.length).toBeGreaterThanOrEqual(2);
    const requests = focus
      .filter((r) => r.SkuId === "Lambda-Requests")
      .reduce((n, r) => n + Number(r.ConsumedQuantity), 0);
    const gbs = focus
      .filter((r) => r.ConsumedUnit === "GB-Seconds")
      .reduce((n, r) => n + Number(r.ConsumedQuantity), 0);
    expect(requests).toBe(2);
    expect(gbs).toBeCloseTo(fnB.e.gbSeconds, 6);
    expect(focus[0]).toMatchObject({ BillingAccountId: b.accountId, BillingCurrency: "USD", ChargeCategory: "Usage" });
    const long = await signedFetch(
      stack.endpoint,
      stack.region,
      b,
      "/stratus/2026-11-01/usage?Since=2020-01-01T00:00:00Z&Until=2026-01-01T00:00:00Z",
    );
    expect(long.status).toBe(400);
    expect(((await long.json()) as { message: string }).message).toMatch(/at most 400 days/);
    const odd = await usage(b, "Format=xml");
    expect(odd.status).toBe(400);
    const unknown = await usage(b, "Granularity=DAILY");
    expect(((await unknown.json()) as { message: string }).message).toMatch(/Unknown parameter Granularity/);
  });

  it("prints the report through the stratus CLI", async () => {
    const env = stratusEnv({ endpoint: stack.endpoint, region: stack.region, credentials: a }, home);
    const table = await runStratus(["usage", "--since", since], env, home);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(fnA.name);
    expect(table.stdout).toMatch(/TOTAL\s+5\s+2/);
    const json = await runStratus(["usage", "--since", since, "--format", "json"], env, home);
    expect((JSON.parse(json.stdout) as Report).Total.Requests).toBe(5);
    const focus = await runStratus(["usage", "--since", since, "--format", "focus"], env, home);
    expect(focus.stdout.split("\n")[0]).toMatch(/^BilledCost,BillingAccountId,/);
    const bad = await runStratus(["usage", "--since", "someday"], env, home);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Since must be an ISO 8601 time/);
  }, 60_000);

  it("meters InvokeWithResponseStream and function URL calls as RequestResponse", async () => {
    const c = await stack.newAccount(uniqueName("usage-c"));
    const client = stack.clientFor(c);
    const name = await deploy(client, SLEEPER, 256);
    const streamed = await client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from('{"ms":40}') }),
    );
    for await (const _event of streamed.EventStream ?? []) {
      // drained: the call ends with its stream
    }
    const urlConfig = await client.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    await client.send(
      new AddPermissionCommand({
        FunctionName: name,
        StatementId: "public-url",
        Action: "lambda:InvokeFunctionUrl",
        Principal: "*",
        FunctionUrlAuthType: "NONE",
      }),
    );
    const viaUrl = await fetch(`${urlConfig.FunctionUrl}?x=1`, { method: "POST", body: '{"ms":20}' });
    expect(viaUrl.status).toBe(200);
    const ids = [streamed.$metadata.requestId as string, viaUrl.headers.get("x-amzn-requestid") as string];
    const e = new Expected(256);
    for (const id of ids) {
      const log = await waitFor(async () => {
        const res = await signedFetch(stack.endpoint, stack.region, c, `/stratus/2026-11-01/invocations/${id}/log`);
        return res.status === 200 ? ((await res.json()) as { Log: string }).Log : undefined;
      });
      e.add(log);
    }
    const r = await waitFor(async () => {
      const got = await report(c);
      return lineOf(got, name)?.Requests === 2 ? got : undefined;
    });
    expectBilled(lineOf(r, name), e);
    const types = await stack.db.query("SELECT DISTINCT invocation_type FROM invocation_usage WHERE account_id = $1", [
      c.accountId,
    ]);
    expect(types.rows).toEqual([{ invocation_type: "RequestResponse" }]);
  }, 60_000);

  it("refuses invokes past a monthly request quota with 429, until the quota is lifted", async () => {
    const quota = (body: unknown) =>
      signedFetch(stack.endpoint, stack.region, admin, `/stratus/2026-11-01/accounts/${b.accountId}/quota`, {
        method: "PUT",
        body: JSON.stringify(body),
      });
    // Not an operator: refused.
    const notAdmin = await signedFetch(
      stack.endpoint,
      stack.region,
      b,
      `/stratus/2026-11-01/accounts/${b.accountId}/quota`,
      {
        method: "PUT",
        body: JSON.stringify({ MonthlyRequests: 1 }),
      },
    );
    expect(notAdmin.status).toBe(403);
    expect((await quota({ MonthlyRequests: -1 })).status).toBe(400);
    expect((await quota({ MonthlyRequest: 5 })).status).toBe(400);
    // B has made 2 requests this month: one more is allowed.
    expect((await quota({ MonthlyRequests: 3 })).status).toBe(200);
    const client = stack.clientFor(b);
    await invoke(client, fnB.name, 1);
    const err = await client.send(new InvokeCommand({ FunctionName: fnB.name, Payload: Buffer.from('{"ms":1}') })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TooManyRequestsException);
    expect((err as TooManyRequestsException).Reason).toBe("MonthlyRequestQuotaExceeded");
    expect((err as Error).message).toMatch(/has used 3 of its monthly quota of 3 requests/);
    // Async invokes are refused too, and the AWS CLI sees the same 429.
    const event = await client
      .send(new InvokeCommand({ FunctionName: fnB.name, InvocationType: "Event", Payload: Buffer.from("{}") }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(event).toBeInstanceOf(TooManyRequestsException);
    const cli = await runAwsCli({ endpoint: stack.endpoint, region: stack.region, credentials: b }, home, [
      "lambda",
      "invoke",
      "--function-name",
      fnB.name,
      "--payload",
      "{}",
      path.join(home, "out.json"),
    ]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/TooManyRequestsException.*monthly quota/);
    const read = await signedFetch(
      stack.endpoint,
      stack.region,
      admin,
      `/stratus/2026-11-01/accounts/${b.accountId}/quota`,
    );
    expect(await read.json()).toMatchObject({ AccountId: b.accountId, MonthlyRequests: 3, Used: { Requests: 3 } });
    // Lifted: invokes pass again. A refused invoke was not billed.
    expect((await quota({ MonthlyRequests: null })).status).toBe(200);
    await invoke(client, fnB.name, 1);
    const r = await waitFor(async () => {
      const got = await report(b);
      return lineOf(got, fnB.name)?.Requests === 4 ? got : undefined;
    });
    expect(lineOf(r, fnB.name)?.Requests).toBe(4);
  }, 60_000);
});

describe("usage records and rollups", () => {
  const HOUR = 3_600_000;
  const row = (
    accountId: string,
    requestId: string,
    attempt: number,
    endedAt: Date,
    billedMs: number,
    outcome = "success",
  ) => ({
    requestId,
    attempt,
    accountId,
    functionName: "f",
    version: "$LATEST",
    resource: "",
    invocationType: "Event" as const,
    outcome: outcome as "success",
    endedAt,
    memoryMb: 256,
    durationMs: billedMs - 0.5,
    initMs: 0,
    billedMs,
    cold: false,
  });
  const count = async (id: string) =>
    Number((await stack.db.query("SELECT count(*) FROM invocation_usage WHERE request_id = $1", [id])).rows[0].count);

  it("writes an async attempt's row with its result, and nothing for a duplicate or stale completion", async () => {
    const store = createPgAsyncStore(stack.db);
    const id = randomUUID();
    const accountId = stack.credentials.accountId;
    await store.accept({
      id,
      accountId,
      functionName: "nowhere",
      payload: Buffer.from("{}"),
      maxAttempts: 3,
      maxEventAgeSeconds: 3600,
    });
    // No job runs it (accepting queues nothing; the reconciler waits for it to be overdue): this test plays the worker.
    const first = await store.start(id, id, 960);
    expect(first?.invokeCount).toBe(1);
    const retry = {
      retryAfterMs: HOUR,
      jobId: `${id}:again`,
      usage: row(accountId, id, 1, new Date(), 10, "function_error"),
    };
    expect(await store.finish(id, 1, "retry", retry)).toBe(true);
    expect(await count(id)).toBe(1);
    // The same completion again (a resent job): refused, and it meters nothing more.
    expect(await store.finish(id, 1, "retry", retry)).toBe(false);
    expect(await count(id)).toBe(1);
    const second = await store.start(id, retry.jobId, 960);
    expect(second?.invokeCount).toBe(2);
    // A stale worker still on attempt 1: refused, nothing written.
    expect(await store.finish(id, 1, "fail", { usage: row(accountId, id, 9, new Date(), 10) })).toBe(false);
    expect(await store.finish(id, 2, "fail", { usage: row(accountId, id, 2, new Date(), 20, "function_error") })).toBe(
      true,
    );
    const rows = await stack.db.query(
      "SELECT attempt, billed_ms FROM invocation_usage WHERE request_id = $1 ORDER BY attempt",
      [id],
    );
    expect(rows.rows).toEqual([
      { attempt: 1, billed_ms: "10" },
      { attempt: 2, billed_ms: "20" },
    ]);
    // A row sent twice (same request id and attempt) counts once.
    await createPgUsageStore(stack.db).insert([row(accountId, id, 2, new Date(), 999)]);
    expect(await count(id)).toBe(2);
    // The quota guard's read: totals, and which of the attempts it asks about have rows.
    const month = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
    const read = await createPgUsageStore(stack.db).usedSinceWith(
      month,
      [accountId],
      [`${id}/1`, `${id}/2`, `${id}/3`, `${randomUUID()}/1`, "not-a-request-id/1"],
    );
    expect([...read.written].sort()).toEqual([`${id}/1`, `${id}/2`]);
    expect(read.used.get(accountId)?.requests).toBeGreaterThanOrEqual(2);
  });

  it("rolls closed hours up once however many passes run, prunes raw rows after that, and reports the same", async () => {
    const usage = createPgUsageStore(stack.db);
    const rollups = createPgUsageRollupStore(stack.db);
    const account = `9${String(Date.now()).slice(-11)}`;
    const t0 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
    const rows = [
      row(account, randomUUID(), 1, new Date(t0 + 1000), 100),
      row(account, randomUUID(), 1, new Date(t0 + 2000), 200, "timeout"),
      row(account, randomUUID(), 1, new Date(t0 + HOUR + 5), 300),
      row(account, randomUUID(), 1, new Date(t0 + HOUR + 6), 0, "platform_error"),
    ];
    // Rows ending hours ago, written now (the platform writes a row as its attempt
    // ends): rolled as a first pass would, from the oldest raw row.
    await stack.db.query("UPDATE usage_rollup_state SET rolled_until = NULL");
    await usage.insert(rows);
    const range = [new Date(t0), new Date(t0 + 2 * HOUR)] as const;
    const before = await usage.report(range[0], range[1], account);
    // GB-seconds to 1e-9: rollups sum the same floats in another order.
    const totals = (days: typeof before) =>
      days.map((d) => [d.requests, d.errors, d.billedMs, Math.round(d.gbSeconds * 1e9) / 1e9]);
    expect(totals(before).reduce((t, d) => t.map((x, i) => x + (d[i] as number)), [0, 0, 0, 0])).toEqual([
      3,
      2,
      600,
      (256 / 1024) * 0.6,
    ]);
    const opts = { graceMs: 0, retentionMs: 0, maxHours: 100_000, pruneBatch: 100_000 };
    // Two control planes' passes at once: one rolls, the other skips or finds the work done.
    const passes = await Promise.all([rollups.rollUp(opts), rollups.rollUp(opts), rollups.rollUp(opts)]);
    expect(passes.some((p) => p?.window)).toBe(true);
    await rollups.rollUp(opts);
    const hourly = await stack.db.query(
      "SELECT hour, requests, errors, billed_ms, cold_starts FROM usage_hourly WHERE account_id = $1 ORDER BY hour",
      [account],
    );
    expect(hourly.rows).toEqual([
      { hour: new Date(t0), requests: "2", errors: "1", billed_ms: "300", cold_starts: "0" },
      { hour: new Date(t0 + HOUR), requests: "1", errors: "1", billed_ms: "300", cold_starts: "0" },
    ]);
    // Rolled and past retention: the raw rows are gone, the report is not.
    const raw = await stack.db.query("SELECT count(*) FROM invocation_usage WHERE account_id = $1", [account]);
    expect(raw.rows[0].count).toBe("0");
    expect(totals(await usage.report(range[0], range[1], account))).toEqual(totals(before));
  });
});
