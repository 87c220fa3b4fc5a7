// The control plane's async metrics on real Postgres, Redis and Docker: the open
// backlog, its oldest event and the outbox as an operator would see them while an
// event waits, cleared once it has run; events counted by how they ended; Redis
// memory against its maxmemory.
import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { commitEvent, deployFunction } from "./helpers/async-load.js";
import { metricValue } from "./helpers/metrics.js";
import { until, waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
const metric = (name: string, labels: Record<string, string> = {}) => metricValue(stack.endpoint, name, labels);

async function statusOf(id: string): Promise<string | undefined> {
  const { rows } = await stack.db.query<{ status: string }>("SELECT status FROM async_invocations WHERE id = $1", [id]);
  return rows[0]?.status;
}

describe("async metrics", () => {
  it("report a waiting event in the open backlog, its age and the outbox, and drop it once it has run", async () => {
    const name = await deployFunction(stack.lambda, "backlog", "exports.handler = async (e) => e;");
    const id = await commitEvent(stack.db, stack.credentials.accountId, name);
    // Left to the relay but held from it, and accepted 100 s ago: a backlog that has waited.
    await stack.db.query(
      "INSERT INTO async_outbox (invocation_id, relay_after) VALUES ($1, now() + interval '1 hour')",
      [id],
    );
    await stack.db.query("UPDATE async_invocations SET accepted_at = now() - interval '100 seconds' WHERE id = $1", [
      id,
    ]);
    expect(await metric("stratus_async_open_invocations", { status: "accepted" })).toBe(1);
    expect(await metric("stratus_async_open_invocations", { status: "running" })).toBe(0);
    expect(await metric("stratus_async_oldest_open_seconds")).toBeGreaterThanOrEqual(100);
    expect(await metric("stratus_async_outbox_rows")).toBe(1);

    await stack.db.query("UPDATE async_outbox SET relay_after = now() WHERE invocation_id = $1", [id]);
    await waitFor(async () => ((await statusOf(id)) === "succeeded" ? true : undefined), 30_000, {
      what: "the held event to run",
    });
    await until(
      "the backlog gauges to clear",
      async () =>
        (await metric("stratus_async_open_invocations")) === 0 &&
        (await metric("stratus_async_oldest_open_seconds")) === 0 &&
        (await metric("stratus_async_outbox_rows")) === 0,
      10_000,
    );
  }, 60_000);

  it("counts events by how they ended", async () => {
    const before = {
      succeeded: await metric("stratus_async_events_ended_total", { status: "succeeded" }),
      dead_lettered: await metric("stratus_async_events_ended_total", { status: "dead_lettered" }),
    };
    const ok = await deployFunction(stack.lambda, "ends-ok", "exports.handler = async (e) => e;");
    const broken = await deployFunction(
      stack.lambda,
      "ends-broken",
      "exports.handler = async () => { throw new Error('no'); };",
    );
    await stack.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: broken, MaximumRetryAttempts: 0 }));
    const ids: string[] = [];
    for (const name of [ok, broken]) {
      const out = await stack.lambda.send(
        new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from("{}") }),
      );
      ids.push(out.$metadata.requestId as string);
    }
    await until(
      "both events to end",
      async () =>
        (await statusOf(ids[0] as string)) === "succeeded" && (await statusOf(ids[1] as string)) === "dead_lettered",
      60_000,
    );
    expect(await metric("stratus_async_events_ended_total", { status: "succeeded" })).toBe(before.succeeded + 1);
    expect(await metric("stratus_async_events_ended_total", { status: "dead_lettered" })).toBe(
      before.dead_lettered + 1,
    );
    expect(await metric("stratus_async_events_ended_total", { status: "expired" })).toBe(0);
  }, 90_000);

  it("reports Redis memory used and its maxmemory", async () => {
    const redis = new Redis(stack.redisUrl);
    try {
      const [, max] = (await redis.config("GET", "maxmemory")) as string[];
      expect(await metric("stratus_redis_maxmemory_bytes")).toBe(Number(max));
      expect(await metric("stratus_redis_memory_used_bytes")).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});
