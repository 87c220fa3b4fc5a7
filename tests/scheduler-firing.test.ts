// Schedules fire exactly once with two control planes racing for them, one of them
// kill -9'd mid-way (as deployed: each its own process, one Postgres and Redis):
// a rate(1 minute) schedule and a rate(1 minute) EventBridge rule for the same five
// minutes, and forty at() schedules due in the same second. Every tick is counted
// from the functions' own invocations: none lost, none doubled.
import { randomBytes } from "node:crypto";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { createPgAccountStore } from "@stratus/control-plane";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./helpers/control-plane-process.js";
import { buildDist, type InvokerProcess, spawnInvoker } from "./helpers/invoker-process.js";
import { waitFor } from "./helpers/poll.js";
import { type StartedService, startPostgres, startRedis } from "./helpers/services.js";

const internalToken = randomBytes(24).toString("hex");
const ROLE = "arn:aws:iam::123456789012:role/scheduler";
const SOURCE = `exports.handler = async (e) => e;`;
let services: StartedService[] = [];
let db: pg.Pool;
let cps: ControlPlaneProcess[] = [];
let node: InvokerProcess | undefined;
let scheduler: SchedulerClient;
let lambda: LambdaClient;
let accountId: string;

const startCp = () =>
  startControlPlaneProcess({
    databaseUrl: services[0]?.url as string,
    redisUrl: services[1]?.url as string,
    internalToken,
    extra: { STRATUS_SCHEDULE_POLL_MS: "100", STRATUS_ASYNC_CONCURRENCY: "8" },
  });

beforeAll(async () => {
  await buildDist();
  services = await Promise.all([startPostgres(), startRedis()]);
  db = new pg.Pool({ connectionString: services[0]?.url, max: 2 });
  cps = [await startCp(), await startCp()];
  // The node reaches the control plane that stays up.
  node = await spawnInvoker({
    redisUrl: services[1]?.url as string,
    controlPlaneUrl: cps[1]?.url as string,
    internalToken,
  });
  const accounts = createPgAccountStore(db);
  const account = await accounts.createAccount(`sched-${randomBytes(3).toString("hex")}`);
  const key = await accounts.createAccessKey(account.id);
  accountId = account.id;
  const credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  lambda = new LambdaClient({ endpoint: cps[1]?.url, region: "us-east-1", credentials });
  scheduler = new SchedulerClient({ endpoint: cps[0]?.url, region: "us-east-1", credentials });
}, 180_000);

afterAll(async () => {
  scheduler?.destroy();
  lambda?.destroy();
  await node?.stop();
  await Promise.all(cps.map((cp) => cp.stop()));
  await db?.end();
  await Promise.all(services.map((s) => s.container.stop({ remove: true })));
}, 120_000);

/** The function's invocations by the payload each ran with, and how many ran it. */
async function firings(functionName: string): Promise<Map<string, { total: number; succeeded: number }>> {
  const res = await db.query<{ payload: Buffer; status: string }>(
    "SELECT payload, status FROM async_invocations WHERE function_name = $1",
    [functionName],
  );
  const out = new Map<string, { total: number; succeeded: number }>();
  for (const r of res.rows) {
    const key = r.payload.toString("utf8");
    const seen = out.get(key) ?? { total: 0, succeeded: 0 };
    seen.total++;
    if (r.status === "succeeded") seen.succeeded++;
    out.set(key, seen);
  }
  return out;
}

const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${accountId}:function:${name}`;

describe("schedules with two control planes, one killed mid-way", () => {
  it("fires forty at() schedules due in the same second once each", async () => {
    const fn = await deployFunction(lambda, "burst", SOURCE);
    const at = new Date(Date.now() + 4_000).toISOString().slice(0, 19);
    for (let i = 0; i < 40; i++) {
      await scheduler.send(
        new CreateScheduleCommand({
          Name: `burst-${i}`,
          ScheduleExpression: `at(${at})`,
          FlexibleTimeWindow: { Mode: "OFF" },
          Target: { Arn: fnArn(fn), RoleArn: ROLE, Input: '{"schedule":"<aws.scheduler.schedule-arn>"}' },
        }),
      );
    }
    // Kill the control plane the schedules were made on as they fall due.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(`${at}Z`) - Date.now())));
    cps[0]?.process.kill("SIGKILL");
    await cps[0]?.exited;
    const runs = await waitFor(
      async () => {
        const seen = await firings(fn);
        const done = [...seen.values()].filter((s) => s.succeeded > 0).length;
        return done === 40 ? seen : undefined;
      },
      60_000,
      { what: "forty schedules fired", intervalMs: 500 },
    );
    expect([...runs.values()].every((s) => s.total === 1 && s.succeeded === 1)).toBe(true);
    // The survivor carries on: the schedules are gone from due (at() fires once).
    const left = await db.query("SELECT count(*)::int AS n FROM schedules WHERE next_fire_at IS NOT NULL");
    expect(left.rows[0]?.n).toBe(0);
    cps[0] = await startCp();
    scheduler = new SchedulerClient({
      endpoint: cps[0].url,
      region: "us-east-1",
      credentials: await scheduler.config.credentials(),
    });
  }, 120_000);

  it("fires a rate(1 minute) schedule and a rate(1 minute) rule once per minute for five minutes", async () => {
    const fn = await deployFunction(lambda, "minutely", SOURCE);
    const ruleFn = await deployFunction(lambda, "rule-minutely", SOURCE);
    const events = new EventBridgeClient({
      endpoint: cps[0]?.url,
      region: "us-east-1",
      credentials: await scheduler.config.credentials(),
    });
    const ruleName = `minutely-${randomBytes(3).toString("hex")}`;
    const ruleMade = Date.now();
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: ruleName, ScheduleExpression: "rate(1 minute)" }));
    await events.send(new PutTargetsCommand({ Rule: ruleName, Targets: [{ Id: "fn", Arn: fnArn(ruleFn) }] }));
    events.destroy();
    const made = Date.now();
    await scheduler.send(
      new CreateScheduleCommand({
        Name: `minutely-${randomBytes(3).toString("hex")}`,
        ScheduleExpression: "rate(1 minute)",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: fnArn(fn), RoleArn: ROLE, Input: '{"at":"<aws.scheduler.scheduled-time>"}' },
      }),
    );
    // Half-way, the control plane the schedule was made on dies.
    await new Promise((r) => setTimeout(r, 150_000));
    cps[0]?.process.kill("SIGKILL");
    await cps[0]?.exited;
    await new Promise((r) => setTimeout(r, Math.max(0, made + 5 * 60_000 + 10_000 - Date.now())));
    const runs = await firings(fn);
    const times = [...runs.keys()].map((p) => Date.parse((JSON.parse(p) as { at: string }).at)).sort((a, b) => a - b);
    expect(times).toHaveLength(5);
    expect([...runs.values()].every((s) => s.total === 1)).toBe(true);
    // One a minute, counted from creation.
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBe(60_000);
    expect((times[0] as number) - made).toBeGreaterThanOrEqual(59_000);
    expect((times[0] as number) - made).toBeLessThanOrEqual(61_000);
    await waitFor(
      async () => ([...(await firings(fn)).values()].every((s) => s.succeeded === 1) ? true : undefined),
      30_000,
      { what: "every tick run", intervalMs: 500 },
    );
    // The rule: the Scheduled Event, once a tick, one a minute from the rule's creation.
    const ruleRuns = await firings(ruleFn);
    const sent = [...ruleRuns.keys()].map((p) => JSON.parse(p) as Record<string, unknown>);
    const ruleTimes = sent.map((e) => Date.parse(e.time as string)).sort((a, b) => a - b);
    expect(ruleTimes).toHaveLength(5);
    expect([...ruleRuns.values()].every((s) => s.total === 1)).toBe(true);
    for (const e of sent) {
      expect(e).toMatchObject({
        version: "0",
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: accountId,
        region: "us-east-1",
        resources: [RuleArn],
        detail: {},
      });
    }
    for (let i = 1; i < ruleTimes.length; i++) {
      expect((ruleTimes[i] as number) - (ruleTimes[i - 1] as number)).toBe(60_000);
    }
    expect((ruleTimes[0] as number) - ruleMade).toBeGreaterThanOrEqual(59_000);
    expect((ruleTimes[0] as number) - ruleMade).toBeLessThanOrEqual(62_000);
    await waitFor(
      async () => ([...(await firings(ruleFn)).values()].every((s) => s.succeeded === 1) ? true : undefined),
      30_000,
      { what: "every rule tick run", intervalMs: 500 },
    );
  }, 420_000);
});
