// Records the AWS/Lambda metrics no fact table holds (Throttles, the async ones) where
// they happen, off the request's path: record() returns at once; observations are
// summed per series and minute and written once a second (or as soon as a batch is
// full) by one upsert, so a busy node's counts cost Postgres a commit a second, not
// one per observation. A write that fails loses its batch's counts (logged), never the
// caller's request; past MAX_PENDING waiting observations, new ones are dropped and
// counted rather than held in memory without bound; close() writes what waits.
import type { Logger } from "@stratus/shared";
import { Counter, type Registry } from "prom-client";
import type { CounterRow } from "../store/metric-counter-store.js";
import type { CounterMetric } from "../store/metric-types.js";

export interface Observation {
  accountId: string;
  functionName: string;
  /** The qualifier the caller named, Lambda's Resource dimension; '' or absent for the function alone. */
  resource?: string;
  metric: CounterMetric;
  /** 1 for a count (the default); milliseconds for AsyncEventAge. */
  value?: number;
}

export interface MetricCounters {
  /** Adds `o` to its minute; never waits and never throws. */
  record(o: Observation): void;
  /** Writes what waits and stops the timer. */
  close(): Promise<void>;
}

/** When observations are written: every `flushMs`, or as soon as `batch` wait. */
export interface CounterCadence {
  flushMs: number;
  batch: number;
}

export const MAX_PENDING = 100_000;

/** Sums `items` into one row per series and minute. */
export function aggregate(items: (Observation & { at: number })[]): CounterRow[] {
  const rows = new Map<string, CounterRow>();
  for (const o of items) {
    const minute = Math.floor(o.at / 60_000) * 60_000;
    const resource = o.resource ?? "";
    const value = o.value ?? 1;
    const key = JSON.stringify([o.accountId, o.functionName, resource, o.metric, minute]);
    const row = rows.get(key);
    if (row) {
      row.sum += value;
      row.count += 1;
      row.min = Math.min(row.min, value);
      row.max = Math.max(row.max, value);
    } else {
      rows.set(key, { ...o, resource, minute, sum: value, count: 1, min: value, max: value });
    }
  }
  return [...rows.values()].map(({ accountId, functionName, resource, metric, minute, sum, count, min, max }) => ({
    accountId,
    functionName,
    resource,
    metric,
    minute,
    sum,
    count,
    min,
    max,
  }));
}

export function createMetricCounters(
  write: (rows: CounterRow[]) => Promise<void>,
  log: Pick<Logger, "warn">,
  registry: Registry,
  now: () => number = Date.now,
  cadence: CounterCadence = { flushMs: 1_000, batch: 1024 },
): MetricCounters {
  const dropped = new Counter({
    name: "stratus_metric_counters_dropped_total",
    help: "Observations of the CloudWatch counter metrics (Throttles, async events) lost: Postgres refused their write, or too many waited for it",
    registers: [registry],
  });
  let lastWarning = 0;
  const warn = (message: string) => {
    if (now() - lastWarning < 60_000) return;
    lastWarning = now();
    log.warn(message);
  };
  /** Observations not yet handed to a write, and how many are waiting or being written. */
  let waiting: (Observation & { at: number })[] = [];
  let pending = 0;
  /** The writes in order, one at a time; it never rejects. */
  let writing = Promise.resolve();
  const send = async (items: (Observation & { at: number })[]) => {
    try {
      await write(aggregate(items));
    } catch (err) {
      dropped.inc(items.length);
      warn(`metric counters: could not write to Postgres: ${(err as Error).message}`);
    } finally {
      pending -= items.length;
    }
  };
  const flush = () => {
    if (waiting.length > 0) {
      const items = waiting;
      waiting = [];
      writing = writing.then(() => send(items));
    }
    return writing;
  };
  const timer = setInterval(() => void flush(), cadence.flushMs);
  timer.unref();
  return {
    record(o) {
      if (pending >= MAX_PENDING) {
        dropped.inc();
        warn(`metric counters: ${MAX_PENDING} observations waiting for Postgres; dropping new ones`);
        return;
      }
      pending++;
      waiting.push({ ...o, at: now() });
      if (waiting.length >= cadence.batch) void flush();
    },
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
