// What an operator alerts on for async work, beside the counters of what happened:
// - read when Prometheus scrapes (nothing is spent between scrapes), platform-wide
//   (every control plane reports the same numbers): open invocations by status, how
//   long the oldest has waited (events near their maximum age), outbox rows not yet
//   handed to the queue (the relay behind, or Redis refusing), and Redis memory
//   against its maxmemory (RELIABILITY.md S30: a full Redis with noeviction refuses
//   every write; alert well before);
// - counted as it happens: events that reached an end, by the status they ended in.
// A read that fails (Postgres or Redis away, or past the statement bound) is counted,
// and its gauges say NaN (the labelled one has no samples) for that scrape: never a
// stale number, nor a 0 that looks like an empty backlog.
import type { Redis } from "ioredis";
import { Counter, Gauge, type Registry } from "prom-client";
import { OPEN, TERMINAL, targetOf } from "../store/async-state.js";
import type { AsyncStore } from "../store/async-store.js";
import type { BoundedDb } from "../store/pg-helpers.js";

interface Backlog {
  open: Map<string, number>;
  oldestSeconds: number;
  outboxRows: number;
}

async function readBacklog(db: BoundedDb): Promise<Backlog> {
  const [open, outbox] = await Promise.all([
    // The partial index async_invocations_open holds exactly these rows.
    db.query<{ status: string; n: number; oldest: number }>(
      `SELECT status, count(*)::int AS n, extract(epoch FROM now() - min(accepted_at))::float8 AS oldest
         FROM async_invocations WHERE status = ANY($1::text[]) GROUP BY status`,
      [OPEN],
    ),
    db.query<{ n: number }>("SELECT count(*)::int AS n FROM async_outbox"),
  ]);
  return {
    open: new Map(open.rows.map((r) => [r.status, r.n])),
    oldestSeconds: Math.max(0, ...open.rows.map((r) => r.oldest)),
    outboxRows: outbox.rows[0]?.n ?? 0,
  };
}

/** used_memory and maxmemory (0: no limit) from INFO memory. */
async function readRedisMemory(redis: Pick<Redis, "info">): Promise<{ used: number; max: number }> {
  const info = await redis.info("memory");
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? Number.NaN);
  const used = field("used_memory");
  const max = field("maxmemory");
  if (Number.isNaN(used) || Number.isNaN(max)) throw new Error("INFO memory has no used_memory or maxmemory");
  return { used, max };
}

/** Runs `read` at most once per scrape: the gauges that share it await one promise. */
function perScrape<T>(read: () => Promise<T>, ms = 1_000): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ms) last = { at: Date.now(), value: read() };
    return last.value;
  };
}

export function registerAsyncBacklogMetrics(
  registry: Registry,
  db: BoundedDb,
  redis: Pick<Redis, "info">,
  log: { warn(message: string): void },
): void {
  const failed = (source: string) => (err: Error) => {
    readErrors.inc({ source });
    log.warn(`metrics: could not read from ${source}: ${err.message}`);
    return undefined;
  };
  const backlog = perScrape(() => readBacklog(db).catch(failed("postgres")));
  const memory = perScrape(() => readRedisMemory(redis).catch(failed("redis")));

  new Gauge({
    name: "stratus_async_open_invocations",
    help: "Async invocations not yet ended, by status (accepted, running, retrying), platform-wide",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      this.reset();
      const b = await backlog();
      if (b) for (const status of OPEN) this.set({ status }, b.open.get(status) ?? 0);
    },
  });
  /** A gauge of one value read at scrape; NaN when the read failed. */
  const scraped = (name: string, help: string, read: () => Promise<number | undefined>) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set((await read()) ?? Number.NaN);
      },
    });
  scraped(
    "stratus_async_oldest_open_seconds",
    "Age of the oldest async invocation not yet ended (0: none); compare with the maximum event age",
    async () => (await backlog())?.oldestSeconds,
  );
  scraped(
    "stratus_async_outbox_rows",
    "Accepted async invocations not yet handed to the queue (the relay sends them; growing: Redis refuses)",
    async () => (await backlog())?.outboxRows,
  );
  scraped(
    "stratus_redis_memory_used_bytes",
    "Redis used_memory; with noeviction, writes (new queue jobs) are refused once it reaches maxmemory",
    async () => (await memory())?.used,
  );
  scraped(
    "stratus_redis_maxmemory_bytes",
    "Redis maxmemory (0: no limit but the host's memory)",
    async () => (await memory())?.max,
  );
  // prom-client collects metrics together: a scrape's own read errors show from the next scrape.
  const readErrors = new Counter({
    name: "stratus_metrics_read_errors_total",
    help: "Scrapes whose platform-wide gauges could not be read, by source (postgres, redis); those gauges say NaN",
    labelNames: ["source"],
    registers: [registry],
  });
}

/**
 * `store`, counting each event that ends (its move to an end status took effect) in
 * stratus_async_events_ended_total by that status.
 */
export function countingEndings(store: AsyncStore, registry: Registry): AsyncStore {
  const ended = new Counter({
    name: "stratus_async_events_ended_total",
    help: "Async events that reached an end, by status: succeeded, failed (sent to the on-failure destination), dead_lettered, expired",
    labelNames: ["status"],
    registers: [registry],
  });
  for (const status of TERMINAL) ended.inc({ status }, 0);
  return {
    ...store,
    async finish(id, attempt, event, fields) {
      const moved = await store.finish(id, attempt, event, fields);
      const to = targetOf(event);
      if (moved && TERMINAL.includes(to)) ended.inc({ status: to });
      return moved;
    },
  };
}
