// One series' datapoints for the metric API: checks the namespace, metric, dimensions
// and unit (any that names no Lambda series answers no datapoints, as CloudWatch
// does for a metric it has no data for), then reads its buckets for the account.
import type { MetricStore } from "../store/metric-store.js";
import type { Bucket } from "../store/metric-types.js";
import { type Dimension, isMetricName, isUsageMetric, NAMESPACE, seriesOf, UNITS } from "./metric-catalog.js";
import { alignRange, type Stat } from "./statistics.js";

export interface SeriesRequest {
  accountId: string;
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  start: Date;
  end: Date;
  period: number;
  stats: Stat[];
  unit?: string;
}

export interface SeriesAnswer {
  buckets: Bucket[];
  /** The metric's unit, when it is one Stratus has. */
  unit?: string;
}

export async function readSeries(store: MetricStore, r: SeriesRequest): Promise<SeriesAnswer> {
  if (r.namespace !== NAMESPACE || !isMetricName(r.metricName)) return { buckets: [] };
  const key = seriesOf(r.dimensions);
  const unit = UNITS[r.metricName];
  if (!key || (r.unit !== undefined && r.unit !== unit)) return { buckets: [] };
  // ExecutedVersion is a dimension of the usage metrics only.
  if (key.executedVersion !== undefined && !isUsageMetric(r.metricName)) return { buckets: [] };
  const { from, to } = alignRange(r.start, r.end, r.period);
  const fractions = r.stats.flatMap((s) => (s.kind === "percentile" ? [s.fraction] : []));
  const buckets = await store.buckets(r.metricName, { accountId: r.accountId, key, from, to, period: r.period }, [
    ...new Set(fractions),
  ]);
  return { buckets, unit };
}
