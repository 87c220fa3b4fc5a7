// Redis failing under an async load (RELIABILITY.md S28): the Redis container is
// killed and started again (AOF everysec, so up to a second of writes may be gone),
// or Redis loses all its data, while events are accepted and run on two invoker
// processes. Every accepted event still ends in exactly one terminal state, and the
// queue's workers keep consuming.
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deployFunction,
  reportOn,
  requeued,
  runsByTag,
  settle,
  statusCounts,
  submitEvents,
  TAGGED_SOURCE,
} from "./helpers/async-load.js";
import { buildDist, type InvokerProcess, spawnNodes } from "./helpers/invoker-process.js";
import { until } from "./helpers/poll.js";
import { type Platform, startPlatform } from "./helpers/stack.js";

const EVENTS = 1000;

let platform: Platform;
const nodes: InvokerProcess[] = [];

beforeAll(async () => {
  await buildDist();
  platform = await startPlatform({ stableRedisPort: true, controlPlaneEnv: { STRATUS_ASYNC_CONCURRENCY: "8" } });
  nodes.push(...(await spawnNodes(platform, 2, { STRATUS_CAPACITY_MB: "512" })));
}, 180_000);

afterAll(async () => {
  for (const node of nodes) await node.stop();
  await platform?.stop();
}, 120_000);

/** Runs EVENTS events and applies `fault` once 200 are done; returns the report line's data. */
async function loadThrough(label: string, fault: () => Promise<void>) {
  const name = await deployFunction(platform.lambda, "redis", TAGGED_SOURCE);
  await platform.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"tag":-1}') }));
  const submitting = submitEvents(platform.lambda, name, EVENTS);
  await until("200 events done", async () => ((await statusCounts(platform.db, name)).succeeded ?? 0) >= 200, 120_000);
  await fault();
  const afterFault = (await statusCounts(platform.db, name)).succeeded ?? 0;
  const ids = await submitting;
  // The workers consume again: work finishes after the fault, not only before it.
  await until(
    "events to finish after the fault",
    async () => ((await statusCounts(platform.db, name)).succeeded ?? 0) > afterFault,
    60_000,
  );
  const statuses = await settle(platform.db, name, EVENTS, 180_000);
  const report = reportOn(ids, statuses, await runsByTag(nodes.map((n) => n.nodeId)));
  const requeues = await requeued(platform.endpoint);
  console.info(`[${label}] ${JSON.stringify({ ...report, requeuesSoFar: requeues })}`);
  expect(new Set(ids).size).toBe(EVENTS);
  expect(statuses.size).toBe(EVENTS);
  expect(report.terminal).toEqual({ succeeded: EVENTS });
  expect(report.neverRan).toBe(0);
  expect((await platform.db.query("SELECT count(*)::int AS n FROM async_outbox")).rows[0].n).toBe(0);
  return { report, requeues };
}

describe("Redis restarting", () => {
  it(`loses none of ${EVENTS} async events when Redis is killed and restarted mid-load`, async () => {
    await loadThrough("S28 Redis killed and restarted", () => platform.restartRedis());
  }, 420_000);

  it(`loses none of ${EVENTS} async events when Redis loses all its data mid-load`, async () => {
    const before = (await requeued(platform.endpoint)).lost_job ?? 0;
    const redis = new Redis(platform.redisUrl);
    try {
      await loadThrough("S28 Redis data lost", async () => {
        await redis.flushall();
      });
    } finally {
      redis.disconnect();
    }
    // The jobs waiting in Redis went with its data: the reconciler enqueued them again from Postgres.
    expect((await requeued(platform.endpoint)).lost_job ?? 0).toBeGreaterThan(before);
  }, 420_000);
});
