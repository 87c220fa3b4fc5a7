// Records the AWS/Lambda metrics no fact table holds (Throttles, the async ones) where
// they happen, off the request's path: record() returns at once; observations go to
// Postgres by natural batching (store/batcher.ts), summed per series and minute before
// one upsert adds them to their rows. A write that fails loses its batch's counts
// (logged), never the caller's request; past MAX_PENDING waiting observations, new
// ones are dropped and counted rather than held in memory without bound.
import type { Logger } from "@stratus/shared";
import { Counter, type Registry } from "prom-client";
import { createBatcher, ItemError } from "../store/batcher.js";
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
): MetricCounters {
  const dropped = new Counter({
    name: "stratus_metric_counters_dropped_total",
    help: "Observations of the CloudWatch counter metrics (Throttles, async events) lost: Postgres refused their write, or too many waited for it",
    registers: [registry],
  });
  let pending = 0;
  const batched = createBatcher<Observation & { at: number }, void>(async (items) => {
    try {
      await write(aggregate(items));
      return items.map(() => undefined);
    } catch (err) {
      return items.map(() => new ItemError(err));
    }
  }, 1024);
  let lastWarning = 0;
  const warn = (message: string) => {
    if (now() - lastWarning < 60_000) return;
    lastWarning = now();
    log.warn(message);
  };
  return {
    record(o) {
      if (pending >= MAX_PENDING) {
        dropped.inc();
        warn(`metric counters: ${MAX_PENDING} observations waiting for Postgres; dropping new ones`);
        return;
      }
      pending++;
      batched({ ...o, at: now() }).then(
        () => pending--,
        (err: Error) => {
          pending--;
          dropped.inc();
          warn(`metric counters: could not write to Postgres: ${err.message}`);
        },
      );
    },
  };
}
