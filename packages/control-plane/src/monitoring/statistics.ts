// The statistics CloudWatch answers for a period, over one bucket of samples, and the
// bucketing of a time range into periods. Buckets start at multiples of the period
// since the epoch (a 1-hour period starts on the hour, a day at 00:00 UTC), and a
// query's start is rounded down to one, as CloudWatch rounds it.
import { StratusError } from "@stratus/shared";
import type { Bucket } from "../store/metric-types.js";

export const BASIC_STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;
export type BasicStatistic = (typeof BASIC_STATISTICS)[number];

export type Stat = { kind: "basic"; name: BasicStatistic } | { kind: "percentile"; name: string; fraction: number };

const invalid = (message: string) => new StratusError("InvalidParameterValueException", 400, "client", message);

const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0{1,10})?)$/;

/** A statistic by its CloudWatch name: a basic one, or a percentile pNN(.NN). Other extended statistics are refused by name. */
export function parseStat(name: string): Stat {
  if ((BASIC_STATISTICS as readonly string[]).includes(name)) return { kind: "basic", name: name as BasicStatistic };
  const m = PERCENTILE.exec(name);
  if (m) return { kind: "percentile", name, fraction: Number(m[1]) / 100 };
  if (/^(tm|wm|tc|ts|pr|TM|WM|TC|TS|PR|IQM)/.test(name)) {
    throw invalid(
      `The statistic ${name.slice(0, 40)} is not supported by Stratus: use SampleCount, Average, Sum, Minimum, Maximum or a percentile pNN.NN`,
    );
  }
  throw invalid(`The statistic ${name.slice(0, 40)} is not valid`);
}

/** `stat` of `bucket`, or undefined when the bucket cannot answer it (a percentile of per-minute sums). */
export function statValue(bucket: Bucket, stat: Stat): number | undefined {
  if (stat.kind === "percentile") return bucket.percentiles.get(stat.fraction);
  switch (stat.name) {
    case "SampleCount":
      return bucket.count;
    case "Average":
      return bucket.count === 0 ? 0 : bucket.sum / bucket.count;
    case "Sum":
      return bucket.sum;
    case "Minimum":
      return bucket.min;
    case "Maximum":
      return bucket.max;
  }
}

/** Periods must be whole minutes: Stratus keeps no high-resolution (sub-minute) data. */
export function checkPeriod(period: number, field = "Period"): void {
  if (!Number.isInteger(period) || period < 60 || period % 60 !== 0) {
    throw invalid(`The parameter ${field} must be a multiple of 60 (seconds), at least 60`);
  }
}

/** The range [from, to) in epoch seconds that `start`..`end` covers in whole periods. */
export function alignRange(start: Date, end: Date, period: number): { from: number; to: number } {
  const from = Math.floor(start.getTime() / 1000 / period) * period;
  const to = Math.ceil(end.getTime() / 1000 / period) * period;
  return { from, to };
}

/** How many datapoints a series can have over `start`..`end` at `period`. */
export function datapointsAsked(start: Date, end: Date, period: number): number {
  const { from, to } = alignRange(start, end, period);
  return Math.max(0, (to - from) / period);
}

/** Checks StartTime < EndTime. */
export function checkTimes(start: Date, end: Date): void {
  if (start.getTime() >= end.getTime()) {
    throw new StratusError(
      "InvalidParameterValueException",
      400,
      "client",
      "The parameter StartTime must be less than the parameter EndTime.",
    );
  }
}
