// Writes of the per-minute metric counters (migration 020): one statement adds a
// batch of minute aggregates to their rows, creating the rows it must.
import type { CounterMetric } from "./metric-types.js";
import type { BoundedDb } from "./pg-helpers.js";

/** One minute's aggregate of one counter series. */
export interface CounterRow {
  accountId: string;
  functionName: string;
  resource: string;
  metric: CounterMetric;
  /** The minute's start, epoch milliseconds. */
  minute: number;
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** Adds `rows` (at most one per key) to their minutes. */
export async function addCounters(db: BoundedDb, rows: CounterRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof CounterRow>(k: K) => rows.map((r) => r[k]);
  await db.query(
    `INSERT INTO metric_counters AS m (account_id, function_name, resource, metric, minute, sum, count, min, max)
     SELECT a, f, r, k, to_timestamp(t / 1000.0), s, n, lo, hi
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::bigint[],
                   $8::float8[], $9::float8[]) AS u(a, f, r, k, t, s, n, lo, hi)
     ON CONFLICT (account_id, function_name, metric, resource, minute) DO UPDATE
       SET sum = m.sum + EXCLUDED.sum, count = m.count + EXCLUDED.count,
           min = least(m.min, EXCLUDED.min), max = greatest(m.max, EXCLUDED.max)`,
    [
      col("accountId"),
      col("functionName"),
      col("resource"),
      col("metric"),
      col("minute"),
      col("sum"),
      col("count"),
      col("min"),
      col("max"),
    ],
  );
}
