// CloudWatch's rules for a metric alarm's state, as a pure function of the datapoints
// of its evaluation range (the last EvaluationPeriods + 2 periods, oldest first, a
// missing period without a value):
// - with at least EvaluationPeriods real datapoints in the range, the newest
//   EvaluationPeriods of them decide, and TreatMissingData plays no part: ALARM when
//   DatapointsToAlarm of them breach, else OK;
// - with fewer, each missing one is filled as TreatMissingData says (breaching,
//   notBreaching), or left out (missing: INSUFFICIENT_DATA when there is no datapoint
//   at all; ignore: the state is kept unless the datapoints settle it);
// - in missing mode an alarm does not wait for data that may never come: when the
//   datapoints in the last EvaluationPeriods periods all breach and the oldest is
//   DatapointsToAlarm periods old or more, it is ALARM (CloudWatch's "premature
//   transition" rule);
// - a percentile datapoint with too few samples (EvaluateLowSampleCountPercentile
//   ignore) keeps the state.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
import type { ComparisonOperator, StateValue, TreatMissingData } from "../store/alarm-types.js";

/** Periods read beyond EvaluationPeriods, so that a late or missing datapoint is looked past. */
export const EXTRA_PERIODS = 2;

export const evaluationRange = (evaluationPeriods: number) => evaluationPeriods + EXTRA_PERIODS;

/** One period of the range: its start (epoch seconds), and its datapoint if it has one. */
export interface Slot {
  start: number;
  value?: number;
  sampleCount?: number;
}

export interface Rule {
  comparisonOperator: ComparisonOperator;
  threshold: number;
  evaluationPeriods: number;
  /** DatapointsToAlarm, or EvaluationPeriods when it was not given. */
  datapointsToAlarm: number;
  treatMissingData: TreatMissingData;
  /** Set for a percentile alarm whose low-sample datapoints are ignored: the percentile (0.99 for p99). */
  ignoreLowSamples?: number;
}

export type Why = "datapoints" | "all-missing" | "premature" | "low-sample" | "undecided";

export interface Verdict {
  /** The state the datapoints call for; undefined: the alarm keeps its state. */
  state?: StateValue;
  why: Why;
  /** The periods it was decided on, oldest first (a filled one has no value). */
  evaluated: Slot[];
  /** Breaching datapoints among them, filled ones counted when missing data is breaching. */
  breaching: number;
  /** Missing datapoints filled in to make up EvaluationPeriods. */
  filled: number;
}

export function breaches(op: ComparisonOperator, value: number, threshold: number): boolean {
  switch (op) {
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "GreaterThanThreshold":
      return value > threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
  }
}

/** Too few samples for a percentile to mean much: fewer than 10 / (1 - p). */
const lowSample = (s: Slot, p: number) => (s.sampleCount ?? 0) < 10 / (1 - p);

export function evaluate(rule: Rule, slots: Slot[]): Verdict {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm;
  const breach = (s: Slot) => s.value !== undefined && breaches(rule.comparisonOperator, s.value, rule.threshold);
  const real = slots.filter((s) => s.value !== undefined);
  const keep = (why: Why, evaluated: Slot[], breaching: number, filled: number): Verdict => ({
    why,
    evaluated,
    breaching,
    filled,
  });
  const decide = (state: StateValue, why: Why, evaluated: Slot[], breaching: number, filled: number): Verdict => ({
    state,
    why,
    evaluated,
    breaching,
    filled,
  });

  if (real.length >= n) {
    const evaluated = real.slice(-n);
    const b = evaluated.filter(breach).length;
    const p = rule.ignoreLowSamples;
    if (p !== undefined && evaluated.some((s) => lowSample(s, p))) return keep("low-sample", evaluated, b, 0);
    return decide(b >= m ? "ALARM" : "OK", "datapoints", evaluated, b, 0);
  }

  // Fewer real datapoints than periods: the newest missing periods make up the rest.
  const filled = n - real.length;
  const fills = slots.filter((s) => s.value === undefined).slice(-filled);
  const evaluated = [...real, ...fills].sort((a, b) => a.start - b.start);
  const realBreaching = real.filter(breach).length;
  const p = rule.ignoreLowSamples;
  if (p !== undefined && real.some((s) => lowSample(s, p))) return keep("low-sample", evaluated, realBreaching, filled);
  const why: Why = real.length === 0 ? "all-missing" : "datapoints";
  switch (rule.treatMissingData) {
    case "breaching": {
      const b = realBreaching + filled;
      return decide(b >= m ? "ALARM" : "OK", why, evaluated, b, filled);
    }
    case "notBreaching":
      return decide(realBreaching >= m ? "ALARM" : "OK", why, evaluated, realBreaching, filled);
    case "missing":
      if (real.length === 0) return decide("INSUFFICIENT_DATA", why, evaluated, 0, filled);
      if (realBreaching >= m) return decide("ALARM", why, evaluated, realBreaching, filled);
      if (premature(slots.slice(-n), m, breach)) return decide("ALARM", "premature", evaluated, realBreaching, filled);
      return decide("OK", why, evaluated, realBreaching, filled);
    case "ignore":
      if (real.length === 0) return keep(why, evaluated, 0, filled);
      if (realBreaching >= m) return decide("ALARM", why, evaluated, realBreaching, filled);
      // The missing ones could still make it ALARM: nothing is settled.
      if (realBreaching + filled >= m) return keep("undecided", evaluated, realBreaching, filled);
      return decide("OK", why, evaluated, realBreaching, filled);
  }
}

/**
 * Whether the last `n` periods have datapoints, all of them breaching, the oldest at
 * least `m` periods old (the newest period is 1 old).
 */
function premature(lastN: Slot[], m: number, breach: (s: Slot) => boolean): boolean {
  const first = lastN.findIndex((s) => s.value !== undefined);
  if (first < 0) return false;
  const present = lastN.filter((s) => s.value !== undefined);
  return present.every(breach) && lastN.length - first >= m;
}
