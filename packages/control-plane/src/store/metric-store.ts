// Reads of the AWS/Lambda metrics for the CloudWatch metric API: per-period aggregates
// of invocation_usage (Invocations, Errors, Duration, ConcurrentExecutions) and of the
// per-minute metric_counters, and the series that have data (ListMetrics). Every read
// is scoped by account and bounded by the time range it is given.

import type { Bucket, CounterMetric, SeriesKey, UsageMetric } from "./metric-types.js";
import type { BoundedDb } from "./pg-helpers.js";

export interface SeriesQuery {
  accountId: string;
  key: SeriesKey;
  /** Epoch seconds, multiples of `period`: [from, to). */
  from: number;
  to: number;
  period: number;
}

export interface ListedSeries {
  metric: string;
  key: SeriesKey;
}

export interface MetricStore {
  /** `fractions`: the percentiles asked (0.99 for p99); computed only for usage metrics with samples. */
  buckets(metric: UsageMetric | CounterMetric, q: SeriesQuery, fractions: number[]): Promise<Bucket[]>;
  /** The account's series with data since `since`, at most `limit` rows of (function, qualifier, version). */
  series(accountId: string, since: Date, limit: number): Promise<ListedSeries[]>;
}

/** Lambda's longest timeout: an attempt that ended this long after a period may have run in it. */
const LONGEST_RUN_SECONDS = 900;

const VALUE: Record<Exclude<UsageMetric, "ConcurrentExecutions">, string> = {
  Invocations: "1",
  Errors: "CASE WHEN outcome <> 'success' THEN 1 ELSE 0 END",
  Duration: "duration_ms",
};

/** The WHERE clause's series part for `key`, its values appended to `values`. */
function seriesFilter(key: SeriesKey, values: unknown[], qualifierColumn: string): string {
  const parts: string[] = [];
  const add = (column: string, v: string) => {
    values.push(v);
    parts.push(`${column} = $${values.length}`);
  };
  if (key.functionName !== undefined) add("function_name", key.functionName);
  if (key.qualifier !== undefined) add(qualifierColumn, key.qualifier);
  if (key.executedVersion !== undefined) add("version", key.executedVersion);
  return parts.map((p) => ` AND ${p}`).join("");
}

interface Row {
  t: number;
  n: string | number;
  sum: number;
  min: number;
  max: number;
  pcts: number[] | null;
}

function toBucket(r: Row, fractions: number[]): Bucket {
  const percentiles = new Map<number, number>();
  if (r.pcts) for (const [i, f] of fractions.entries()) percentiles.set(f, r.pcts[i] as number);
  return { start: Number(r.t), count: Number(r.n), sum: r.sum, min: r.min, max: r.max, percentiles };
}

export function createPgMetricStore(db: BoundedDb): MetricStore {
  async function usage(metric: keyof typeof VALUE, q: SeriesQuery, fractions: number[]): Promise<Bucket[]> {
    const values: unknown[] = [q.accountId, q.from, q.to, q.period];
    const filter = seriesFilter(q.key, values, "resource");
    values.push(fractions);
    const pcts =
      fractions.length > 0 ? `percentile_cont($${values.length}::float8[]) WITHIN GROUP (ORDER BY v)` : "NULL";
    const { rows } = await db.query<Row>(
      `SELECT floor(extract(epoch FROM ended_at) / $4)::bigint * $4 AS t, count(*) AS n,
              sum(v)::float8 AS sum, min(v)::float8 AS min, max(v)::float8 AS max, ${pcts} AS pcts
         FROM (SELECT ended_at, (${VALUE[metric]})::float8 AS v FROM invocation_usage
                WHERE account_id = $1 AND ended_at >= to_timestamp($2) AND ended_at < to_timestamp($3)${filter}) s
        GROUP BY 1 ORDER BY 1`,
      fractions.length > 0 ? values : values.slice(0, -1),
    );
    return rows.map((r) => toBucket(r, fractions));
  }

  /**
   * The most attempts running at once in each period, each attempt running over
   * [ended_at - duration, ended_at): a running count over their starts and ends, with
   * a probe at each period's start so a period that only an earlier start spans counts.
   */
  async function concurrency(q: SeriesQuery): Promise<Bucket[]> {
    const values: unknown[] = [q.accountId, q.from, q.to, q.period, LONGEST_RUN_SECONDS];
    const filter = seriesFilter(q.key, values, "resource");
    const { rows } = await db.query<{ t: number; c: number }>(
      `WITH iv AS (
         SELECT ended_at - duration_ms * interval '1 millisecond' AS s, ended_at AS e FROM invocation_usage
          WHERE account_id = $1 AND ended_at > to_timestamp($2) AND ended_at < to_timestamp($3::float8 + $5::float8)${filter}
       ), ev AS (
         SELECT s AS at, 1 AS d FROM iv WHERE s < to_timestamp($3)
         UNION ALL SELECT e, -1 FROM iv
         UNION ALL SELECT to_timestamp(b), 0 FROM generate_series($2::bigint, $3::bigint - $4::bigint, $4::bigint) b
       ), run AS (
         SELECT at, sum(d) OVER (ORDER BY at, d ROWS UNBOUNDED PRECEDING) AS c FROM ev
       )
       SELECT floor(extract(epoch FROM at) / $4)::bigint * $4 AS t, max(c)::float8 AS c FROM run
        WHERE at >= to_timestamp($2) AND at < to_timestamp($3)
        GROUP BY 1 HAVING max(c) > 0 ORDER BY 1`,
      values,
    );
    return rows.map((r) => ({
      start: Number(r.t),
      count: 1,
      sum: r.c,
      min: r.c,
      max: r.c,
      percentiles: new Map(),
    }));
  }

  async function counters(metric: CounterMetric, q: SeriesQuery): Promise<Bucket[]> {
    const values: unknown[] = [q.accountId, q.from, q.to, q.period, metric];
    const filter = seriesFilter(q.key, values, "resource");
    const { rows } = await db.query<Row>(
      `SELECT floor(extract(epoch FROM minute) / $4)::bigint * $4 AS t, sum(count) AS n,
              sum(sum)::float8 AS sum, min(min)::float8 AS min, max(max)::float8 AS max, NULL AS pcts
         FROM metric_counters
        WHERE account_id = $1 AND metric = $5 AND minute >= to_timestamp($2) AND minute < to_timestamp($3)${filter}
        GROUP BY 1 ORDER BY 1`,
      values,
    );
    return rows.map((r) => toBucket(r, []));
  }

  return {
    buckets(metric, q, fractions) {
      if (metric === "ConcurrentExecutions") return concurrency(q);
      if (Object.hasOwn(VALUE, metric)) return usage(metric as keyof typeof VALUE, q, fractions);
      return counters(metric as CounterMetric, q);
    },
    async series(accountId, since, limit) {
      const { rows } = await db.query<{ src: string; metric: string; fn: string; qualifier: string; version: string }>(
        `(SELECT DISTINCT 'usage' AS src, '' AS metric, function_name AS fn, resource AS qualifier, version
            FROM invocation_usage WHERE account_id = $1 AND ended_at >= $2 LIMIT $3)
         UNION ALL
         (SELECT DISTINCT 'counter', metric, function_name, resource, '' FROM metric_counters
           WHERE account_id = $1 AND minute >= date_trunc('minute', $2::timestamptz) LIMIT $3)`,
        [accountId, since, limit],
      );
      return rows.flatMap((r): ListedSeries[] => {
        const fn: SeriesKey = { functionName: r.fn };
        const q: SeriesKey[] = r.qualifier === "" ? [fn] : [fn, { functionName: r.fn, qualifier: r.qualifier }];
        if (r.src === "counter") return [{ metric: r.metric, key: {} }, ...q.map((key) => ({ metric: r.metric, key }))];
        const keys: SeriesKey[] = [{}, ...q];
        if (r.qualifier !== "") keys.push({ functionName: r.fn, qualifier: r.qualifier, executedVersion: r.version });
        return ["Invocations", "Errors", "Duration", "ConcurrentExecutions"].flatMap((metric) =>
          keys.map((key) => ({ metric, key })),
        );
      });
    },
  };
}
