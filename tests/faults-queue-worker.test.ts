// The async queue worker wedged (RELIABILITY.md S28, S31; BullMQ #648, #2964, #3185):
// its Redis connections hang without closing, as in a network partition, a NAT that
// dropped the flows or a Redis that stopped answering, while the rest of the control
// plane still reaches Redis. The worker keeps "running" and fetches nothing. The
// watchdog sees due jobs, a free slot and no job started, replaces the worker (with
// connections of its own), and the events accepted meanwhile run. A job stuck itself
// (its Postgres connection hangs mid-attempt) holds a slot the watchdog cannot judge:
// the worker gives it up at its deadline and runs its event again, to one end. Also:
// what the watchdog counts as due, read from a real queue.
import { randomBytes } from "node:crypto";
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { BullQueue, BullWorker, dueJobs, type QueueWorker, WORKER_CONNECTION_NAME } from "@stratus/control-plane";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { metricValue } from "./helpers/metrics.js";
import { until, waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import type { TcpProxy } from "./helpers/tcp-proxy.js";
import { useStack } from "./helpers/use-stack.js";

const STALL_MS = 3_000;
// A short statement timeout: while Postgres hangs, a /metrics scrape (it reads the
// backlog) waits that long for a connection.
const stack = useStack(
  {},
  {
    proxyRedis: true,
    proxyPostgres: true,
    controlPlaneEnv: { STRATUS_ASYNC_WORKER_STALL_MS: String(STALL_MS), STRATUS_DB_STATEMENT_TIMEOUT_MS: "3000" },
  },
);

async function event(name: string, payload: unknown): Promise<string> {
  const out = await stack.lambda.send(
    new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  expect(out.StatusCode).toBe(202);
  return out.$metadata.requestId as string;
}

/** Polls Postgres until every id is terminal; returns their statuses in order. */
async function settled(ids: string[]): Promise<string[]> {
  return waitFor(
    async () => {
      const { rows } = await stack.db.query<{ id: string; status: string }>(
        "SELECT id, status FROM async_invocations WHERE id = ANY($1::uuid[])",
        [ids],
      );
      const status = new Map(rows.map((r) => [r.id, r.status]));
      const all = ids.map((id) => status.get(id) ?? "missing");
      return all.every((s) => ["succeeded", "failed", "dead_lettered", "expired"].includes(s)) ? all : undefined;
    },
    60_000,
    { what: `${ids.length} events to finish`, intervalMs: 200 },
  );
}

const restarts = (reason: string) => metricValue(stack.endpoint, "stratus_async_worker_restarts_total", { reason });
const givenUp = async () =>
  (await metricValue(stack.endpoint, "stratus_async_jobs_given_up_total", { reason: "deadline" })) +
  (await metricValue(stack.endpoint, "stratus_async_jobs_given_up_total", { reason: "error" }));

describe("a wedged async queue worker", () => {
  it("is replaced when its Redis connections hang without closing; the events accepted meanwhile run", async () => {
    const proxy = stack.redisProxy as TcpProxy;
    const name = await deployFunction(stack.lambda, "wedge", "exports.handler = async (e) => e.n;");
    // A first event: the worker has fetched and finished through its connections before they hang.
    expect(await settled([await event(name, { n: -1 })])).toEqual(["succeeded"]);
    const wedged = stack.controlPlane.asyncWorker() as QueueWorker;
    const before = await restarts("stalled");

    // Its command connection and BullMQ's blocking one: nothing else of the control plane.
    const frozen = proxy.freeze((n) => n === WORKER_CONNECTION_NAME || (n?.startsWith("bull:") ?? false));
    expect(frozen, `connections: ${JSON.stringify(proxy.names())}`).toBe(2);
    const ids = await Promise.all(Array.from({ length: 20 }, (_, n) => event(name, { n })));

    expect(await settled(ids)).toEqual(ids.map(() => "succeeded"));
    expect(stack.controlPlane.asyncWorker()).not.toBe(wedged);
    expect(await restarts("stalled")).toBe(before + 1);
    expect(await restarts("stopped")).toBe(0);
    // The wedge was real: no event started until the replacement, a stall time after they were accepted.
    const { rows } = await stack.db.query<{ accepted: Date; started: Date }>(
      `SELECT max(accepted_at) AS accepted, min(first_started_at) AS started FROM async_invocations
       WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const waited = (rows[0]?.started.getTime() ?? 0) - (rows[0]?.accepted.getTime() ?? 0);
    expect(waited).toBeGreaterThanOrEqual(STALL_MS - 1_000);
    // The replaced worker lets go: it does not linger on its hung connections.
    await until("the wedged worker to stop", async () => !wedged.isRunning(), 30_000);
  }, 120_000);

  it("gives up a job whose Postgres connection stops answering mid-attempt, and runs its event again to one end", async () => {
    const proxy = stack.postgresProxy as TcpProxy;
    const sink = await deployFunction(stack.lambda, "stuck-sink", "exports.handler = async () => null;");
    const name = await deployFunction(
      stack.lambda,
      "stuck",
      "exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return e.ms; };",
    );
    const { FunctionArn } = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: sink }));
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        DestinationConfig: { OnSuccess: { Destination: FunctionArn } },
      }),
    );
    expect(await settled([await event(name, { ms: 0 })])).toEqual(["succeeded"]);
    const replaced = (await restarts("stalled")) + (await restarts("stopped"));
    const givenUpBefore = await givenUp();

    const id = await event(name, { ms: 4_000 });
    const row = async () =>
      (
        await stack.db.query<{ status: string; attempt: number; invoke_count: number }>(
          "SELECT status, attempt, invoke_count FROM async_invocations WHERE id = $1",
          [id],
        )
      ).rows[0];
    await until("the event to start", async () => (await row())?.status === "running", 10_000);
    // While the function runs, Postgres stops answering the control plane: every open
    // connection and every one opened meanwhile, so that the attempt's end is written
    // on one that hangs whichever the pool hands out (background writes, such as the
    // metric counters, take idle connections too).
    expect(proxy.hang()).toBeGreaterThanOrEqual(1);
    let hung = true;
    try {
      // At its deadline, or as its statement timed out first (both are the stall time).
      await until("the job to be given up", async () => (await givenUp()) > givenUpBefore, 60_000);
      // The hung connections break (as a peer's timeout would): the attempt's end is
      // lost with them. Connections opened from now on pass.
      proxy.cut();
      proxy.thaw();
      hung = false;
      // Given up, the job runs again and takes the attempt over; the run whose end was
      // lost changes nothing: one success, one delivery.
      expect(await settled([id])).toEqual(["succeeded"]);
      const final = await row();
      expect(final?.attempt).toBeGreaterThanOrEqual(2);
      expect(final?.invoke_count).toBe(final?.attempt);
      const deliveries = await waitFor(
        async () => {
          const { rows } = await stack.db.query<{ payload: Buffer; status: string }>(
            "SELECT payload, status FROM async_invocations WHERE function_name = $1",
            [sink],
          );
          const mine = rows.filter((r) => JSON.parse(r.payload.toString("utf8")).requestContext.requestId === id);
          return mine.length > 0 && mine.every((r) => r.status === "succeeded") ? mine : undefined;
        },
        30_000,
        { what: "the delivery" },
      );
      expect(deliveries).toHaveLength(1);
      // The job was stuck, not the worker: none was replaced.
      expect((await restarts("stalled")) + (await restarts("stopped"))).toBe(replaced);
    } finally {
      // Whatever still waits on a hung connection elsewhere lets the stack stop.
      if (hung) {
        proxy.cut();
        proxy.thaw();
      }
    }
  }, 120_000);

  it("carries on when its idle Postgres connections break", async () => {
    const proxy = stack.postgresProxy as TcpProxy;
    const name = await deployFunction(stack.lambda, "reset", "exports.handler = async (e) => e.n;");
    const read = () =>
      signedFetch(stack.endpoint, stack.region, stack.credentials, `/stratus/2026-11-01/functions/${name}/logs`);
    // Idle connections in the pool (concurrent reads), then every connection reset at once.
    await Promise.all(Array.from({ length: 8 }, read));
    proxy.freeze(() => true);
    expect(proxy.cut()).toBeGreaterThanOrEqual(4);
    // The pool drops them (an uncaught error event would end the process) and opens new
    // ones: a request that took one as it broke may fail, those after it do not.
    await until("the control plane to read again", async () => (await read()).status === 200, 10_000);
    expect(await settled([await event(name, { n: 1 })])).toEqual(["succeeded"]);
  }, 60_000);

  it("counts as due the waiting and prioritized jobs and the delayed ones whose time has come, unless the queue hands out none", async () => {
    const connection = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
    const queue = new BullQueue(`due-${randomBytes(4).toString("hex")}`, { connection });
    const fetcher = new BullWorker(queue.name, null, { connection, autorun: false });
    try {
      expect(await dueJobs(queue, Date.now())).toBe(0);
      await queue.add("w", {});
      await queue.add("p", {}, { priority: 5 });
      await queue.add("d", {}, { delay: 60_000 });
      expect(await dueJobs(queue, Date.now())).toBe(2);
      // The delayed job counts once its time has come (no worker promotes it here).
      expect(await dueJobs(queue, Date.now() + 120_000)).toBe(3);

      await queue.rateLimit(60_000);
      expect(await dueJobs(queue, Date.now())).toBe(0);
      await queue.removeRateLimitKey();
      await queue.pause();
      expect(await dueJobs(queue, Date.now())).toBe(0);
      await queue.resume();
      expect(await dueJobs(queue, Date.now())).toBe(2);

      // One job active (fetched by hand) under a global concurrency of one: the queue is maxed.
      expect(await fetcher.getNextJob("token")).toBeDefined();
      expect(await dueJobs(queue, Date.now())).toBe(1);
      await queue.setGlobalConcurrency(1);
      expect(await dueJobs(queue, Date.now())).toBe(0);
    } finally {
      await fetcher.close(true);
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  }, 60_000);
});
