// CloudWatch's metric read API over Stratus's AWS/Lambda metrics: GetMetricStatistics
// and ListMetrics here, GetMetricData in get-metric-data.ts. Inputs come as the
// protocol decoded them (cloudwatch-input.ts reads any of the three); outputs are
// plain objects with Dates, which each protocol writes in its own way.
import type { MetricStore } from "../store/metric-store.js";
import {
  type Body,
  badCombination,
  dimensions,
  integer,
  invalidValue,
  list,
  onlyKnown,
  optional,
  required,
  text,
  timestamp,
} from "./cloudwatch-input.js";
import { getMetricData } from "./get-metric-data.js";
import { listMetrics } from "./list-metrics.js";
import { readSeries } from "./metric-series.js";
import { BASIC_STATISTICS, checkPeriod, checkTimes, datapointsAsked, parseStat, statValue } from "./statistics.js";

/** AWS's limit on the datapoints one GetMetricStatistics call may ask for. */
export const MAX_STATISTICS_DATAPOINTS = 1_440;

export interface CloudWatchService {
  getMetricStatistics(accountId: string, b: Body): Promise<Body>;
  getMetricData(accountId: string, b: Body): Promise<Body>;
  listMetrics(accountId: string, b: Body): Promise<Body>;
}

const GET_STATISTICS_FIELDS = [
  "Namespace",
  "MetricName",
  "Dimensions",
  "StartTime",
  "EndTime",
  "Period",
  "Statistics",
  "ExtendedStatistics",
  "Unit",
] as const;

export function createCloudWatchService(store: MetricStore, now: () => Date = () => new Date()): CloudWatchService {
  return {
    async getMetricStatistics(accountId, b) {
      onlyKnown(b, GET_STATISTICS_FIELDS, "");
      const namespace = required(b, "Namespace", (v, f) => text(v, f, 255));
      const metricName = required(b, "MetricName", (v, f) => text(v, f, 255));
      const dims = optional(b, "Dimensions", dimensions) ?? [];
      const start = required(b, "StartTime", timestamp);
      const end = required(b, "EndTime", timestamp);
      const period = required(b, "Period", integer);
      const basic =
        optional(
          b,
          "Statistics",
          list(5, (v, f) => text(v, f, 20)),
        ) ?? [];
      const extended =
        optional(
          b,
          "ExtendedStatistics",
          list(10, (v, f) => text(v, f, 40)),
        ) ?? [];
      const unit = optional(b, "Unit", (v, f) => text(v, f, 40));
      checkPeriod(period);
      checkTimes(start, end);
      if (basic.length > 0 && extended.length > 0) {
        throw badCombination("The parameters Statistics and ExtendedStatistics are mutually exclusive");
      }
      if (basic.length === 0 && extended.length === 0) {
        throw badCombination("Must specify either Statistics or ExtendedStatistics");
      }
      for (const s of basic) {
        if (!(BASIC_STATISTICS as readonly string[]).includes(s)) {
          throw invalidValue(
            `The parameter Statistics member ${s.slice(0, 20)} must be one of ${BASIC_STATISTICS.join(", ")}`,
          );
        }
      }
      const stats = [...basic, ...extended].map(parseStat);
      if (extended.length > 0 && stats.some((s) => s.kind !== "percentile")) {
        throw invalidValue("The parameter ExtendedStatistics takes percentiles (pNN.NN) only");
      }
      const asked = datapointsAsked(start, end, period);
      if (asked > MAX_STATISTICS_DATAPOINTS) {
        throw badCombination(
          `You have requested up to ${asked} datapoints, which exceeds the limit of ${MAX_STATISTICS_DATAPOINTS.toLocaleString("en-US")}. ` +
            "You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
        );
      }
      const answer = await readSeries(store, {
        accountId,
        namespace,
        metricName,
        dimensions: dims,
        start,
        end,
        period,
        stats,
        ...(unit !== undefined ? { unit } : {}),
      });
      const datapoints = answer.buckets.map((bucket) => {
        const point: Body = { Timestamp: new Date(bucket.start * 1000) };
        const ext: Record<string, number> = {};
        for (const s of stats) {
          const v = statValue(bucket, s);
          if (v === undefined) continue;
          if (s.kind === "basic") point[s.name] = v;
          else ext[s.name] = v;
        }
        if (extended.length > 0) point.ExtendedStatistics = ext;
        if (answer.unit) point.Unit = answer.unit;
        return point;
      });
      return { Label: metricName, Datapoints: datapoints };
    },
    getMetricData: (accountId, b) => getMetricData(store, accountId, b),
    listMetrics: (accountId, b) => listMetrics(store, accountId, b, now()),
  };
}
