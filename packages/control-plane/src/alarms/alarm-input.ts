// PutMetricAlarm's input, read and checked as CloudWatch checks it, in any of the
// three protocols (monitoring/cloudwatch-input.ts reads the fields): names and
// lengths, Period (10, 20, 30 or a multiple of 60), EvaluationPeriods and
// DatapointsToAlarm, Statistic or ExtendedStatistic, the four threshold operators,
// TreatMissingData, at most five actions a state, each a Lambda function of the
// caller's. Metric math alarms, anomaly bands and the newer evaluation settings are
// refused by name.

import {
  type Body,
  badCombination,
  bool,
  dimensions,
  double,
  integer,
  invalidValue,
  list,
  onlyKnown,
  optional,
  required,
  struct,
  text,
} from "../monitoring/cloudwatch-input.js";
import { BASIC_STATISTICS, parseStat } from "../monitoring/statistics.js";
import {
  type AlarmConfig,
  COMPARISON_OPERATORS,
  type ComparisonOperator,
  LOW_SAMPLE_COUNT,
  type LowSampleCount,
  TREAT_MISSING_DATA,
  type TreatMissingData,
} from "../store/alarm-types.js";
import { storableText } from "../store/pg-helpers.js";
import { TAG_KEY, TAG_VALUE } from "../tag-text.js";
import { actionFault } from "./action-arns.js";

export const MAX_ACTIONS = 5;
export const MAX_TAGS = 50;

/** CloudWatch's StandardUnit values. */
const UNITS = [
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
];

const ANOMALY_OPERATORS = [
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
];

/** Fields CloudWatch takes that Stratus refuses, and why. */
const REFUSED: Record<string, string> = {
  Metrics: "metric math alarms (Metrics) are not supported by Stratus: give MetricName, Namespace and a statistic",
  ThresholdMetricId: "ThresholdMetricId (anomaly detection bands) is not supported by Stratus: give a Threshold",
  EvaluationWindow: "EvaluationWindow is not supported by Stratus",
  WarmUpConfiguration: "WarmUpConfiguration is not supported by Stratus",
  EvaluationCriteria: "EvaluationCriteria (PromQL alarms) is not supported by Stratus",
  EvaluationInterval:
    "EvaluationInterval is not supported by Stratus: alarms are evaluated every period (at most every minute)",
  ActionConfiguration: "ActionConfiguration is not supported by Stratus",
};

const PUT_FIELDS = [
  "AlarmName",
  "AlarmDescription",
  "ActionsEnabled",
  "OKActions",
  "AlarmActions",
  "InsufficientDataActions",
  "MetricName",
  "Namespace",
  "Statistic",
  "ExtendedStatistic",
  "Dimensions",
  "Period",
  "Unit",
  "EvaluationPeriods",
  "DatapointsToAlarm",
  "Threshold",
  "ComparisonOperator",
  "TreatMissingData",
  "EvaluateLowSampleCountPercentile",
  "Tags",
  ...Object.keys(REFUSED),
];

/** An alarm name: 1 to 255 characters, no control characters. */
export function alarmName(v: unknown, field: string): string {
  const name = text(v, field, 255);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (name.length === 0 || /[\u0000-\u001f\u007f]/.test(name) || !storableText(name)) {
    throw invalidValue(`The parameter ${field} must be 1 to 255 characters, none of them control characters`);
  }
  return name;
}

/** At most this many names in one DescribeAlarms, DeleteAlarms, EnableAlarmActions or DisableAlarmActions. */
export const MAX_NAMES = 100;

export const alarmNames = list(MAX_NAMES, alarmName);

/** `v` as one of `values` (matched without regard to case when `anyCase`: Terraform sends these as written). */
export function oneOf(values: readonly string[], anyCase = false) {
  return (v: unknown, field: string): string => {
    const s = text(v, field, 255);
    const found = values.find((x) => x === s || (anyCase && x.toLowerCase() === s.toLowerCase()));
    if (found === undefined) throw invalidValue(`The parameter ${field} must be one of ${values.join(", ")}`);
    return s;
  };
}

/** How an alarm treats missing data, whatever the case it was written in. */
export const missingDataOf = (c: Pick<AlarmConfig, "treatMissingData">): TreatMissingData =>
  TREAT_MISSING_DATA.find((x) => x.toLowerCase() === c.treatMissingData?.toLowerCase()) ?? "missing";

export const lowSampleCountOf = (c: Pick<AlarmConfig, "evaluateLowSampleCountPercentile">): LowSampleCount =>
  c.evaluateLowSampleCountPercentile?.toLowerCase() === "ignore" ? "ignore" : "evaluate";

function actions(b: Body, field: string, accountId: string, region: string): string[] {
  const arns =
    optional(
      b,
      field,
      list(MAX_ACTIONS, (v, f) => text(v, f, 1024)),
    ) ?? [];
  for (const [i, arn] of arns.entries()) {
    const fault = actionFault(arn, accountId, region);
    if (fault) throw invalidValue(`The parameter ${field}.member.${i + 1}: ${fault}`);
  }
  return arns;
}

function period(v: unknown, field: string): number {
  const p = integer(v, field);
  if (![10, 20, 30].includes(p) && (p < 60 || p % 60 !== 0)) {
    throw invalidValue(`The parameter ${field} must be 10, 20, 30 or a multiple of 60 (seconds)`);
  }
  return p;
}

/** Tags as CloudWatch takes them ([{Key, Value}], at most 50, no aws: keys), as a map. */
export function tagList(v: unknown, field: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const items = list(MAX_TAGS, (x, f) => {
    const t = struct(x, f);
    onlyKnown(t, ["Key", "Value"], `${f}.`);
    const key = required(t, "Key", (k, kf) => text(k, kf, 128), `${f}.Key`);
    const value = required(t, "Value", (k, kf) => text(k, kf, 256), `${f}.Value`);
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith("aws:")) {
      throw invalidValue(`The parameter ${f}.Key is not a valid tag key (1 to 128 characters, not starting aws:)`);
    }
    if (!TAG_VALUE.test(value)) throw invalidValue(`The parameter ${f}.Value is not a valid tag value`);
    return [key, value] as const;
  })(v, field);
  for (const [key, value] of items) {
    if (Object.hasOwn(out, key)) throw invalidValue(`The parameter ${field} names the tag key ${key} twice`);
    out[key] = value;
  }
  return out;
}

function statistics(b: Body): Pick<AlarmConfig, "statistic" | "extendedStatistic"> {
  const statistic = optional(b, "Statistic", (v, f) => text(v, f, 40));
  const extended = optional(b, "ExtendedStatistic", (v, f) => text(v, f, 40));
  if (statistic !== undefined && extended !== undefined) {
    throw badCombination("The parameters Statistic and ExtendedStatistic are mutually exclusive");
  }
  if (statistic !== undefined) {
    if (!(BASIC_STATISTICS as readonly string[]).includes(statistic)) {
      throw invalidValue(`The parameter Statistic must be one of ${BASIC_STATISTICS.join(", ")}`);
    }
    return { statistic };
  }
  if (extended === undefined) throw badCombination("One of Statistic and ExtendedStatistic must be given");
  if (parseStat(extended).kind !== "percentile") {
    throw invalidValue("The parameter ExtendedStatistic takes a percentile (pNN.NN); basic statistics go in Statistic");
  }
  return { extendedStatistic: extended };
}

/** PutMetricAlarm's configuration and tags, or the first thing CloudWatch would refuse in it. */
export function readPutMetricAlarm(
  b: Body,
  accountId: string,
  region: string,
): { config: AlarmConfig; tags: Record<string, string> } {
  onlyKnown(b, PUT_FIELDS, "");
  for (const [field, why] of Object.entries(REFUSED)) {
    const v = b[field];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== "") throw invalidValue(why);
  }
  const name = required(b, "AlarmName", alarmName);
  const description = optional(b, "AlarmDescription", (v, f) => text(v, f, 1024));
  if (description !== undefined && !storableText(description)) {
    throw invalidValue("The parameter AlarmDescription holds characters that cannot be stored");
  }
  const operator = required(b, "ComparisonOperator", (v, f) => {
    const s = text(v, f, 64);
    if (ANOMALY_OPERATORS.includes(s)) {
      throw invalidValue(
        `ComparisonOperator ${s} compares with an anomaly detection band, which Stratus does not serve: use one of ${COMPARISON_OPERATORS.join(", ")}`,
      );
    }
    return oneOf(COMPARISON_OPERATORS)(s, f) as ComparisonOperator;
  });
  const evaluationPeriods = required(b, "EvaluationPeriods", integer);
  if (evaluationPeriods < 1) throw invalidValue("The parameter EvaluationPeriods must be at least 1");
  const datapoints = optional(b, "DatapointsToAlarm", integer);
  if (datapoints !== undefined && (datapoints < 1 || datapoints > evaluationPeriods)) {
    throw invalidValue("The parameter DatapointsToAlarm must be from 1 to EvaluationPeriods");
  }
  const metricName = required(b, "MetricName", (v, f) => text(v, f, 255));
  const namespace = required(b, "Namespace", (v, f) => text(v, f, 255));
  if (metricName === "") throw invalidValue("The parameter MetricName must be 1 to 255 characters");
  if (namespace === "" || namespace.startsWith(":")) {
    throw invalidValue("The parameter Namespace must be 1 to 255 characters, not starting with a colon");
  }
  const dims = optional(b, "Dimensions", dimensions) ?? [];
  if (new Set(dims.map((d) => d.Name)).size !== dims.length) {
    throw invalidValue("The parameter Dimensions names a dimension twice");
  }
  const seconds = required(b, "Period", period);
  const span = seconds * evaluationPeriods;
  if (span > (seconds >= 3600 ? 604_800 : 86_400)) {
    throw invalidValue(
      "EvaluationPeriods × Period must be at most one day (86,400 seconds), or seven days for periods of an hour or more",
    );
  }
  const unit = optional(b, "Unit", oneOf(UNITS));
  const treatMissingData = optional(b, "TreatMissingData", oneOf(TREAT_MISSING_DATA, true));
  const lowSample = optional(b, "EvaluateLowSampleCountPercentile", oneOf(LOW_SAMPLE_COUNT, true));
  const config: AlarmConfig = {
    name,
    ...(description !== undefined ? { description } : {}),
    actionsEnabled: optional(b, "ActionsEnabled", bool) ?? true,
    okActions: actions(b, "OKActions", accountId, region),
    alarmActions: actions(b, "AlarmActions", accountId, region),
    insufficientDataActions: actions(b, "InsufficientDataActions", accountId, region),
    namespace,
    metricName,
    dimensions: dims,
    ...statistics(b),
    period: seconds,
    ...(unit !== undefined ? { unit } : {}),
    evaluationPeriods,
    ...(datapoints !== undefined ? { datapointsToAlarm: datapoints } : {}),
    threshold: required(b, "Threshold", double),
    comparisonOperator: operator,
    ...(treatMissingData !== undefined ? { treatMissingData } : {}),
    ...(lowSample !== undefined ? { evaluateLowSampleCountPercentile: lowSample } : {}),
  };
  return { config, tags: optional(b, "Tags", tagList) ?? {} };
}
