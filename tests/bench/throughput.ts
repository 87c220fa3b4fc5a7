// Throughput rows of the benchmark, on a deployment-shaped stack: Postgres (fsync on)
// and Redis in containers, reached at their bridge addresses as on a compose network,
// the control plane and invoker nodes as their own processes, the load generator in
// this one. Each row has a baseline from the same run:
// - sync invokes/s through the platform on one node and on two, beside the same load
//   sent straight to the invokers' internal endpoint (invokers and containers alone),
//   and on the Runtime-API floor (runtime-floor.ts: the nodejs bootstrap in host
//   processes behind a bare server, the least a Runtime-API platform costs);
// - async events/s accepted durably and run to completion, beside BullMQ alone
//   (the same Redis, a no-op processor) moving the same number of jobs;
// - enqueue-to-start latency of async events at a steady rate, beside BullMQ's own
//   add-to-processor latency at the same rate.
import { randomBytes, randomUUID } from "node:crypto";
import { cpus } from "node:os";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { BullQueue, BullWorker, createPgAccountStore, exchange } from "@stratus/control-plane";
import { type InvokeSpec, internalInvoke } from "@stratus/shared";
import { Redis } from "ioredis";
import pg from "pg";
import { Agent } from "undici";
import { startControlPlaneProcess } from "../helpers/control-plane-process.js";
import { spawnInvoker } from "../helpers/invoker-process.js";
import { until } from "../helpers/poll.js";
import { type StartedService, startPostgres, startRedis } from "../helpers/services.js";
import type { Credentials } from "../helpers/stack.js";
import type { KnownPids } from "./cpu-by-process.js";
import { drive, measureCpu, type RateRow } from "./drive.js";
import { startRuntimeFloor } from "./runtime-floor.js";
import { createSignedClient } from "./signed-client.js";
import { deployBenchFunction } from "./spec.js";
import { type Summary, summarize } from "./stats.js";

const SYNC_CONCURRENCY = Number(process.env.BENCH_SYNC_CONCURRENCY ?? 16);
const SYNC_SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 8);
/**
 * Load sent to both sides of a sync pair, each in turn, before either is timed: the
 * node scales out to its containers and their runtimes' code gets compiled hot
 * (rates still rose by a fifth after a 2 s warm-up), and the baseline, timed first,
 * no longer warms the platform's row for it.
 */
const SYNC_WARMUP_SECONDS = Number(process.env.BENCH_SYNC_WARMUP_SECONDS ?? 5);
const ASYNC_EVENTS = Number(process.env.BENCH_ASYNC_EVENTS ?? 4000);
const ASYNC_IN_FLIGHT = 64;
/** Rounds of (sync beside, burst): one round's ratio read 0.45× to 0.63× on unchanged code. */
const ASYNC_ROUNDS = Number(process.env.BENCH_ASYNC_ROUNDS ?? 3);
const PACED_RATE = 100;
const PACED_WARMUP = 64;
const PACED_EVENTS = 1000;
/** The control plane's async worker concurrency (its default), also given to the BullMQ baseline. */
const WORKER_CONCURRENCY = 64;

export interface ThroughputResult {
  syncConcurrency: number;
  syncSeconds: number;
  syncWarmupSeconds: number;
  pacedRate: number;
  syncOneNode: RateRow;
  syncOneNodeDirect: RateRow;
  syncTwoNodes: RateRow;
  syncTwoNodesDirect: RateRow;
  /** The Runtime-API floor (runtime-floor.ts) with one runtime per request in flight, and with one per core. */
  floorPerRequest: RateRow;
  floorPerCore: RateRow;
  asyncEvents: number;
  asyncAcceptedPerSecond: number;
  asyncEndToEndPerSecond: number;
  /** Sync through the platform on the async burst's function, measured just before the burst. */
  syncBesideAsync: RateRow;
  /** The burst, from its first send until its last event was seen recorded: the machine's busy share, and CPU ms per event by kind of process. */
  asyncCpu: Pick<RateRow, "cpuBusy" | "cpuMsPerCall">;
  /** Every round; the fields above are the round whose async/sync ratio is the median. */
  asyncRounds: AsyncRound[];
  bullmqPerSecond: number;
  enqueueToStart: Summary;
  bullmqAddToStart: Summary;
}

/** One round of the async rows: the sync rate just before a burst, and the burst. */
export interface AsyncRound {
  asyncAcceptedPerSecond: number;
  asyncEndToEndPerSecond: number;
  syncBesideAsync: RateRow;
  asyncCpu: Pick<RateRow, "cpuBusy" | "cpuMsPerCall">;
}

export async function measureThroughput(): Promise<ThroughputResult> {
  const [postgres, redis] = await Promise.all([startPostgres({ durable: true }), startRedis()]);
  const services: StartedService[] = [postgres, redis];
  const internalToken = randomBytes(24).toString("hex");
  const region = "us-east-1";
  const db = new pg.Pool({ connectionString: postgres.url, max: 4 });
  const children: { stop(): Promise<void> }[] = [];
  const agent = new Agent({ keepAliveTimeout: 60_000, connections: 128 });
  try {
    const cp = await startControlPlaneProcess({
      databaseUrl: postgres.bridgeUrl,
      redisUrl: redis.bridgeUrl,
      internalToken,
      extra: { STRATUS_ASYNC_CONCURRENCY: String(WORKER_CONCURRENCY) },
    });
    children.push(cp);
    const nodeOptions = {
      controlPlaneUrl: cp.url,
      redisUrl: redis.bridgeUrl,
      internalToken,
      env: {
        STRATUS_CAPACITY_MB: "8192",
        ...(process.env.BENCH_FREEZE_IDLE_AFTER_MS
          ? { STRATUS_FREEZE_IDLE_AFTER_MS: process.env.BENCH_FREEZE_IDLE_AFTER_MS }
          : {}),
      },
    };
    const nodeA = await spawnInvoker(nodeOptions);
    children.push(nodeA);
    const accounts = createPgAccountStore(db);
    const account = await accounts.createAccount(`bench-${randomUUID().slice(0, 8)}`);
    const key = await accounts.createAccessKey(account.id);
    const creds: Credentials = {
      accountId: account.id,
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
    };
    const lambda = new LambdaClient({
      endpoint: cp.url,
      region,
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    });
    const client = createSignedClient(cp.url, region, creds);
    const payload = Buffer.from(JSON.stringify({ hello: "world", n: 42 }));

    // One signed request per function, sent again and again (SigV4 allows it within its
    // five-minute window), so that the generator's CPU goes to sending, not signing.
    const platformCall = async (name: string) => {
      const send = await client.prepare(name, payload);
      return async () => {
        const res = await send();
        if (res.status !== 200) throw new Error(`platform answered ${res.status}: ${res.body.toString()}`);
      };
    };
    const directCall = (nodeUrl: string, spec: InvokeSpec) => {
      const specHeader = JSON.stringify(spec);
      const origin = new URL(nodeUrl).origin;
      return async () => {
        const res = await exchange(agent, {
          origin,
          path: internalInvoke.path,
          method: "POST",
          headers: {
            [internalInvoke.specHeader]: specHeader,
            [internalInvoke.requestIdHeader]: randomUUID(),
            [internalInvoke.tokenHeader]: internalToken,
          },
          body: payload,
        });
        if (res.statusCode !== 200) throw new Error(`invoker answered ${res.statusCode}`);
      };
    };
    let nodeB: Awaited<ReturnType<typeof spawnInvoker>> | undefined;
    const known = (): KnownPids => ({
      controlPlane: [cp.process.pid ?? -1],
      invokers: [nodeA.pid, ...(nodeB ? [nodeB.pid] : [])],
    });
    const drivePair = async (direct: Array<() => Promise<void>>, platform: Array<() => Promise<void>>) => {
      const load = (calls: Array<() => Promise<void>>) => (i: number) =>
        (calls[i % calls.length] as () => Promise<void>)();
      for (const calls of [direct, platform]) await drive(SYNC_CONCURRENCY, SYNC_WARMUP_SECONDS, load(calls), known());
      return {
        direct: await drive(SYNC_CONCURRENCY, SYNC_SECONDS, load(direct), known()),
        platform: await drive(SYNC_CONCURRENCY, SYNC_SECONDS, load(platform), known()),
      };
    };

    // Sync, one node: one function, its containers scaled out to the concurrency.
    const oneName = `tput-${randomUUID().slice(0, 8)}`;
    const oneSpec = await deployBenchFunction(lambda, oneName, creds.accountId, region);
    const one = await drivePair([directCall(nodeA.url, oneSpec)], [await platformCall(oneName)]);

    // The floor: the same load on Stratus' bootstrap behind a bare Runtime API server.
    const floorPerRequest = await measureFloor(SYNC_CONCURRENCY, agent, payload);
    const floorPerCore = await measureFloor(cpus().length, agent, payload);

    // Two nodes: eight functions, each on its home node; the baseline splits them evenly.
    nodeB = await spawnInvoker(nodeOptions);
    children.push(nodeB);
    await new Promise((r) => setTimeout(r, 1_000)); // the control plane's node list is cached for 0.5 s
    const names = Array.from({ length: 8 }, (_, i) => `tput2-${i}-${randomUUID().slice(0, 6)}`);
    const specs = await Promise.all(names.map((n) => deployBenchFunction(lambda, n, creds.accountId, region)));
    const nodes = [nodeA.url, nodeB.url];
    const two = await drivePair(
      specs.map((s, i) => directCall(nodes[i % 2] as string, s)),
      await Promise.all(names.map(platformCall)),
    );
    await nodeB.stop();
    children.splice(children.indexOf(nodeB), 1);

    const asyncRows = await measureAsync(lambda, client, db, creds, region, payload, known());
    const baseline = await measureBullmq(redis.bridgeUrl, payload);
    lambda.destroy();
    await client.close();
    return {
      syncConcurrency: SYNC_CONCURRENCY,
      syncSeconds: SYNC_SECONDS,
      pacedRate: PACED_RATE,
      syncWarmupSeconds: SYNC_WARMUP_SECONDS,
      syncOneNode: one.platform,
      syncOneNodeDirect: one.direct,
      syncTwoNodes: two.platform,
      syncTwoNodesDirect: two.direct,
      floorPerRequest,
      floorPerCore,
      asyncEvents: ASYNC_EVENTS,
      ...asyncRows,
      ...baseline,
    };
  } finally {
    for (const child of children.reverse()) await child.stop();
    await agent.close();
    await db.end();
    await Promise.all(services.map((s) => s.container.stop({ remove: true })));
  }
}

/** The sync load on the Runtime-API floor with `runtimes` runtime processes, warmed as a sync pair's rows are. */
async function measureFloor(runtimes: number, agent: Agent, payload: Buffer): Promise<RateRow> {
  const floor = await startRuntimeFloor(runtimes);
  try {
    const origin = new URL(floor.url).origin;
    const call = async () => {
      const res = await exchange(agent, { origin, path: "/invoke", method: "POST", headers: {}, body: payload });
      if (res.statusCode !== 200 || !res.body.equals(payload)) throw new Error(`floor answered ${res.statusCode}`);
    };
    const known = { controlPlane: [], invokers: [floor.pid] };
    await drive(SYNC_CONCURRENCY, SYNC_WARMUP_SECONDS, call, known);
    return await drive(SYNC_CONCURRENCY, SYNC_SECONDS, call, known);
  } finally {
    await floor.stop();
  }
}

async function measureAsync(
  lambda: LambdaClient,
  client: ReturnType<typeof createSignedClient>,
  db: pg.Pool,
  creds: Credentials,
  region: string,
  payload: Buffer,
  known: KnownPids,
) {
  // Polled every 250 ms during the burst, not faster: each poll is a count on the
  // Postgres the platform is using (3-4 ms of its CPU). The burst's end is the last
  // event's own record time (updated_at), so the poll's interval does not lengthen it.
  // `since`: only events accepted from then on (a round's burst, not the ones before it).
  const progress = async (name: string, since = new Date(0)) => {
    const { n, last } = (
      await db.query<{ n: string; last: Date | null }>(
        `SELECT count(*) AS n, max(updated_at) AS last FROM async_invocations
          WHERE account_id = $1 AND function_name = $2 AND accepted_at >= $3 AND status = 'succeeded'`,
        [creds.accountId, name, since],
      )
    ).rows[0] ?? { n: "0", last: null };
    return { n: Number(n), last };
  };
  const succeeded = async (name: string) => (await progress(name)).n;
  const dbNow = async () => (await db.query<{ now: Date }>("SELECT clock_timestamp() AS now")).rows[0]?.now as Date;
  const submit = async (name: string, count: number, inFlight: number) => {
    const send = await client.prepare(name, payload, "Event");
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < count) {
          next++;
          const res = await send();
          if (res.status !== 202) throw new Error(`event refused with ${res.status}: ${res.body.toString()}`);
        }
      }),
    );
  };

  // Burst: as fast as the platform takes them, then until every one has run.
  const burst = `async-${randomUUID().slice(0, 8)}`;
  await deployBenchFunction(lambda, burst, creds.accountId, region);
  await submit(burst, 200, 16); // warm containers and connections
  await until("warm-up events", async () => (await succeeded(burst)) === 200, 120_000, 100);
  // The sync rate again, on the same function and node, just before each burst: this
  // machine's speed drifts by tens of percent within minutes, so the async rate is set
  // beside a sync rate measured next to it as well as the one-node row.
  const syncCall = await client.prepare(burst, payload);
  const rounds: AsyncRound[] = [];
  for (let round = 0; round < ASYNC_ROUNDS; round++) {
    const syncBeside = await drive(
      SYNC_CONCURRENCY,
      SYNC_SECONDS,
      async () => {
        const res = await syncCall();
        if (res.status !== 200) throw new Error(`platform answered ${res.status}`);
      },
      known,
    );
    const dbStart = await dbNow();
    const cpu = measureCpu(known);
    const t0 = performance.now();
    await submit(burst, ASYNC_EVENTS, ASYNC_IN_FLIGHT);
    const accepted = performance.now();
    let last = Number.NaN;
    await until(
      "async burst",
      async () => {
        const p = await progress(burst, dbStart);
        last = p.last?.getTime() ?? Number.NaN;
        return p.n === ASYNC_EVENTS;
      },
      600_000,
      250,
    );
    const endToEndMs = last - dbStart.getTime();
    rounds.push({
      asyncAcceptedPerSecond: ASYNC_EVENTS / ((accepted - t0) / 1000),
      asyncEndToEndPerSecond: ASYNC_EVENTS / (endToEndMs / 1000),
      syncBesideAsync: syncBeside,
      // Up to one poll (250 ms) of idle after the last record is in the span: the busy share reads a little low.
      asyncCpu: cpu(ASYNC_EVENTS),
    });
  }
  const share = (r: AsyncRound) => r.asyncEndToEndPerSecond / r.syncBesideAsync.perSecond;
  const median = [...rounds].sort((x, y) => share(x) - share(y))[Math.floor(rounds.length / 2)] as AsyncRound;

  // Steady rate: enqueue-to-start from the invocation rows' own timestamps.
  const paced = `paced-${randomUUID().slice(0, 8)}`;
  await deployBenchFunction(lambda, paced, creds.accountId, region);
  // Warm containers for it first (the worker runs up to its concurrency at once).
  await submit(paced, PACED_WARMUP, WORKER_CONCURRENCY);
  await until("paced warm-up", async () => (await succeeded(paced)) === PACED_WARMUP, 60_000, 100);
  const send = await client.prepare(paced, payload, "Event");
  const pacedStart = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < PACED_EVENTS; i++) {
    const due = pacedStart + (i * 1000) / PACED_RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(send());
  }
  await Promise.all(sends);
  await until("paced events", async () => (await succeeded(paced)) === PACED_EVENTS + PACED_WARMUP, 120_000, 100);
  const delays = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM first_started_at - accepted_at) * 1000 AS ms FROM async_invocations
      WHERE function_name = $1 ORDER BY accepted_at OFFSET $2`,
    [paced, PACED_WARMUP],
  );
  return {
    ...median,
    asyncRounds: rounds,
    enqueueToStart: summarize(delays.rows.map((r) => Number(r.ms))),
  };
}

/** BullMQ alone on the same Redis: the same number of jobs added and processed by a no-op. */
async function measureBullmq(redisUrl: string, payload: Buffer) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const name = `baseline-${randomUUID().slice(0, 8)}`;
  const queue = new BullQueue(name, { connection });
  let processed = 0;
  const addToStart: number[] = [];
  let recordDelay = false;
  const workerConnection = connection.duplicate();
  const worker = new BullWorker(
    name,
    async (job) => {
      if (recordDelay) addToStart.push(Date.now() - job.timestamp);
      processed++;
    },
    { connection: workerConnection, concurrency: WORKER_CONCURRENCY },
  );
  try {
    const data = { payload: payload.toString("base64") };
    const opts = { removeOnComplete: { age: 3600, count: 10_000 } };
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: ASYNC_IN_FLIGHT }, async () => {
        while (next < ASYNC_EVENTS) {
          next++;
          await queue.add("job", data, opts);
        }
      }),
    );
    await until("BullMQ baseline", async () => processed >= ASYNC_EVENTS, 120_000, 20);
    const bullmqPerSecond = ASYNC_EVENTS / ((performance.now() - t0) / 1000);
    recordDelay = true;
    const start = performance.now();
    for (let i = 0; i < PACED_EVENTS; i++) {
      const wait = start + (i * 1000) / PACED_RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      void queue.add("job", data, opts);
    }
    await until("BullMQ paced jobs", async () => addToStart.length >= PACED_EVENTS, 60_000, 20);
    return { bullmqPerSecond, bullmqAddToStart: summarize(addToStart) };
  } finally {
    await worker.close();
    await queue.close();
    await Promise.all([connection.quit(), workerConnection.quit()]);
  }
}
