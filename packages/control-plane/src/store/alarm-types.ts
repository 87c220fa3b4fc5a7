// A CloudWatch metric alarm as Stratus keeps it: its configuration (PutMetricAlarm's
// fields, as given), its state, and the vocabulary both share. What evaluation makes
// of them is alarms/evaluation.ts's; the SQL is alarm-store.ts's.
import type { Dimension } from "./metric-types.js";

export const STATE_VALUES = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;
export type StateValue = (typeof STATE_VALUES)[number];

/** The threshold operators; the anomaly-band ones are refused by name (alarm-input.ts). */
export const COMPARISON_OPERATORS = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export const TREAT_MISSING_DATA = ["missing", "ignore", "breaching", "notBreaching"] as const;
export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number];

export const LOW_SAMPLE_COUNT = ["evaluate", "ignore"] as const;
export type LowSampleCount = (typeof LOW_SAMPLE_COUNT)[number];

export const HISTORY_ITEM_TYPES = ["StateUpdate", "ConfigurationUpdate", "Action"] as const;
export type HistoryItemType = (typeof HISTORY_ITEM_TYPES)[number];

/** PutMetricAlarm's configuration; optional fields are absent when the request left them out. */
export interface AlarmConfig {
  name: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  /** Exactly one of statistic (basic) and extendedStatistic (pNN.NN). */
  statistic?: string;
  extendedStatistic?: string;
  period: number;
  unit?: string;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  /** As written (one of TREAT_MISSING_DATA in any case: Terraform sends what its user wrote); see missingDataOf. */
  treatMissingData?: string;
  /** As written (one of LOW_SAMPLE_COUNT in any case); see lowSampleCountOf. */
  evaluateLowSampleCountPercentile?: string;
}

export interface Alarm extends AlarmConfig {
  accountId: string;
  tags: Record<string, string>;
  state: StateValue;
  stateReason: string;
  stateReasonData?: string;
  stateUpdatedAt: Date;
  stateTransitionedAt: Date;
  configurationUpdatedAt: Date;
}

/** One DescribeAlarmHistory item. */
export interface HistoryItem {
  alarmName: string;
  type: HistoryItemType;
  at: Date;
  summary: string;
  /** JSON text. */
  data: string;
}

export const alarmArn = (region: string, accountId: string, name: string) =>
  `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;

/** The actions of the state an alarm goes to. */
export function actionsOf(alarm: AlarmConfig, state: StateValue): string[] {
  if (state === "ALARM") return alarm.alarmActions;
  if (state === "OK") return alarm.okActions;
  return alarm.insufficientDataActions;
}

/** A time as CloudWatch writes it in alarm JSON (history data, reason data, Lambda events): 2026-01-01T10:00:00.000+0000. */
export const cloudwatchTime = (d: Date) => d.toISOString().replace("Z", "+0000");
