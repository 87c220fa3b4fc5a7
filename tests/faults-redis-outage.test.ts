// Redis refusing the platform's writes, or gone, as seen by its clients.
// - At maxmemory with noeviction (RELIABILITY.md S30), as a large async backlog leaves
//   it: Redis refuses every command that may grow its memory. The nodes' and control
//   planes' heartbeats and the concurrency slots are scripts flagged allow-oom, so sync
//   invokes go on past the staleness window; an Event invoke is committed and answered
//   202, waits while the queue cannot take it, and runs once Redis has room.
// - Stopped (S29): an Event invoke is still committed and answered 202, and runs once
//   Redis is back; a sync invoke fails at once with ServiceException.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { InvokeCommand, LambdaServiceException } from "@aws-sdk/client-lambda";
import { nodeRegistry } from "@stratus/shared";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { deployFunction, statusCounts } from "./helpers/async-load.js";
import { until } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { stableRedisPort: true, controlPlaneEnv: { STRATUS_REDIS_COMMAND_TIMEOUT_MS: "1000" } });
const docker = (...args: string[]) => promisify(execFile)("docker", args);
const ECHO = "exports.handler = async (e) => e;";
const CONTROL_PLANES = "stratus:control-planes:heartbeats";

let redis: Redis | undefined;
afterAll(() => redis?.disconnect());

async function echo(name: string, n: number): Promise<unknown> {
  const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ n }) }));
  expect(out.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(out.Payload ?? []).toString("utf8"));
}

/** Waits until the function's one event has run, and ran alone. */
async function ranOnce(name: string, what: string): Promise<void> {
  await until(`${what} to run`, async () => (await statusCounts(stack.db, name)).succeeded === 1, 60_000, 250);
  expect(await statusCounts(stack.db, name)).toEqual({ succeeded: 1 });
}

/** The newest beat (epoch ms) in a registry's sorted set. */
async function newestBeat(key: string): Promise<number> {
  const [, score] = await (redis as Redis).zrange(key, "-1", "-1", "WITHSCORES");
  return Number(score);
}

describe("Redis at maxmemory with noeviction", () => {
  it("serves sync invokes past the staleness window while Redis refuses writes, and runs an event accepted meanwhile once it has room", async () => {
    redis = new Redis(stack.redisUrl);
    const warm = await deployFunction(stack.lambda, "full-warm", ECHO);
    expect(await echo(warm, 0)).toEqual({ n: 0 });

    await redis.config("SET", "maxmemory-policy", "noeviction");
    const used = Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1]);
    await redis.config("SET", "maxmemory", String(Math.floor(used / 2)));
    try {
      await expect(redis.set("stratus-test:probe", "x")).rejects.toThrow(/OOM command not allowed/);

      const event = await stack.lambda.send(
        new InvokeCommand({ FunctionName: warm, InvocationType: "Event", Payload: JSON.stringify({ n: 1 }) }),
      );
      expect(event.StatusCode).toBe(202);
      const fresh = await deployFunction(stack.lambda, "full-fresh", ECHO);

      // Past the window in which a node or replica that cannot beat is taken for dead.
      await new Promise((r) => setTimeout(r, nodeRegistry.staleAfterMs + 2 * nodeRegistry.heartbeatIntervalMs));
      expect(await echo(warm, 2)).toEqual({ n: 2 });
      expect(await echo(fresh, 3)).toEqual({ n: 3 });
      const now = Date.now();
      expect(now - (await newestBeat(nodeRegistry.heartbeatsKey))).toBeLessThan(nodeRegistry.staleAfterMs);
      expect(now - (await newestBeat(CONTROL_PLANES))).toBeLessThan(nodeRegistry.staleAfterMs);
      await expect(redis.set("stratus-test:probe", "x")).rejects.toThrow(/OOM command not allowed/);
      // Committed, and waiting for room in the queue: not lost, not run.
      expect(await statusCounts(stack.db, warm)).toEqual({ accepted: 1 });
    } finally {
      // The operator gives Redis room.
      await redis.config("SET", "maxmemory", "0");
    }
    await ranOnce(warm, "the event accepted while Redis was full");
    expect(await echo(warm, 4)).toEqual({ n: 4 });
    redis.disconnect();
  }, 120_000);
});

describe("Redis stopped", () => {
  it("answers an Event invoke 202 while Redis is down, fails a sync one with ServiceException, and runs the event once Redis is back", async () => {
    const name = await deployFunction(stack.lambda, "down", ECHO);
    expect(await echo(name, 0)).toEqual({ n: 0 });
    await docker("stop", "-t", "0", stack.services.redis.id);
    try {
      const event = await stack.lambda.send(
        new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: JSON.stringify({ n: 1 }) }),
      );
      expect(event.StatusCode).toBe(202);
      expect(await statusCounts(stack.db, name)).toEqual({ accepted: 1 });
      // A new function: no concurrency slot lingers on the control plane to serve it.
      const fresh = await deployFunction(stack.lambda, "down-fresh", ECHO);
      const failed = await stack.lambda
        .send(new InvokeCommand({ FunctionName: fresh, Payload: JSON.stringify({ n: 2 }) }))
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(failed).toBeInstanceOf(LambdaServiceException);
      expect((failed as LambdaServiceException).name).toBe("ServiceException");
      expect((failed as LambdaServiceException).$metadata.httpStatusCode).toBe(500);
      expect((failed as LambdaServiceException).message).toMatch(/unavailable/);
    } finally {
      await docker("start", stack.services.redis.id);
    }
    await ranOnce(name, "the event accepted while Redis was down");
    expect((await stack.db.query("SELECT count(*)::int AS n FROM async_outbox")).rows[0].n).toBe(0);
    expect(await echo(name, 3)).toEqual({ n: 3 });
  }, 120_000);
});
