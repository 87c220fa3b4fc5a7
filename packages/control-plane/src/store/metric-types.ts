// The AWS/Lambda metrics the stores keep (from invocation_usage and metric_counters),
// the series a read is scoped to and the per-period aggregate it answers; the
// catalogue around them (units, dimensions) is monitoring/metric-catalog.ts's.

/** Read from invocation_usage (one row per run attempt). */
export const USAGE_METRICS = ["Invocations", "Errors", "Duration", "ConcurrentExecutions"] as const;
/** Read from metric_counters (per-minute sums the control plane records where they happen). */
export const COUNTER_METRICS = [
  "Throttles",
  "AsyncEventsReceived",
  "AsyncEventAge",
  "AsyncEventsDropped",
  "DeadLetterErrors",
  "DestinationDeliveryFailures",
] as const;

export type UsageMetric = (typeof USAGE_METRICS)[number];
export type CounterMetric = (typeof COUNTER_METRICS)[number];

/**
 * Which series a query names: the account's (no dimension), a function's, one of its
 * qualifiers' (Resource is `name:qualifier`, as Lambda writes it), or the version that
 * ran under a qualifier (ExecutedVersion, usage metrics only).
 */
export interface SeriesKey {
  functionName?: string;
  /** The qualifier part of the Resource dimension. */
  qualifier?: string;
  executedVersion?: string;
}

/** The aggregate of one period's samples; `percentiles` by the fraction asked (0.99 for p99). */
export interface Bucket {
  /** The period's start, epoch seconds. */
  start: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  percentiles: Map<number, number>;
}

/** A metric's dimension, as CloudWatch names it. */
export interface Dimension {
  Name: string;
  Value: string;
}
