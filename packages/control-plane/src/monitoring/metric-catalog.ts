// The AWS/Lambda metrics Stratus serves through CloudWatch's metric API (where each
// comes from: store/metric-types.ts), their units, and the dimension sets a series
// may have. Lambda's own catalogue:
// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
import { StratusError } from "@stratus/shared";
import {
  type CounterMetric,
  type Dimension,
  type SeriesKey,
  USAGE_METRICS,
  type UsageMetric,
} from "../store/metric-types.js";

export const NAMESPACE = "AWS/Lambda";

export type MetricName = UsageMetric | CounterMetric;

export const UNITS: Record<MetricName, string> = {
  Invocations: "Count",
  Errors: "Count",
  Duration: "Milliseconds",
  ConcurrentExecutions: "Count",
  Throttles: "Count",
  AsyncEventsReceived: "Count",
  AsyncEventAge: "Milliseconds",
  AsyncEventsDropped: "Count",
  DeadLetterErrors: "Count",
  DestinationDeliveryFailures: "Count",
};

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(UNITS, name);
}

export function isUsageMetric(name: MetricName): name is UsageMetric {
  return (USAGE_METRICS as readonly string[]).includes(name);
}

export type { Dimension } from "../store/metric-types.js";

/**
 * The series `dims` names, or undefined when no Lambda series has exactly those
 * dimensions (CloudWatch then answers no datapoints, not an error).
 */
export function seriesOf(dims: Dimension[]): SeriesKey | undefined {
  const by = new Map<string, string>();
  for (const d of dims) {
    if (by.has(d.Name)) {
      throw new StratusError("InvalidParameterValueException", 400, "client", `The dimension ${d.Name} is given twice`);
    }
    by.set(d.Name, d.Value);
  }
  const fn = by.get("FunctionName");
  const resource = by.get("Resource");
  const executed = by.get("ExecutedVersion");
  const known = [fn, resource, executed].filter((v) => v !== undefined).length;
  if (known !== by.size) return undefined;
  if (by.size === 0) return {};
  if (fn === undefined) return undefined;
  if (resource === undefined) return executed === undefined ? { functionName: fn } : undefined;
  // Resource is `function:qualifier`; only the function's own qualifiers are its series.
  if (!resource.startsWith(`${fn}:`) || resource.length === fn.length + 1) return undefined;
  const qualifier = resource.slice(fn.length + 1);
  return executed === undefined
    ? { functionName: fn, qualifier }
    : { functionName: fn, qualifier, executedVersion: executed };
}

/** The dimensions of `key`'s series, as CloudWatch lists them. */
export function dimensionsOf(key: SeriesKey): Dimension[] {
  const out: Dimension[] = [];
  if (key.functionName === undefined) return out;
  out.push({ Name: "FunctionName", Value: key.functionName });
  if (key.qualifier !== undefined) out.push({ Name: "Resource", Value: `${key.functionName}:${key.qualifier}` });
  if (key.executedVersion !== undefined) out.push({ Name: "ExecutedVersion", Value: key.executedVersion });
  return out;
}
