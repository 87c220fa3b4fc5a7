// The message an SNS topic given as an alarm action receives, in CloudWatch's shape
// (the JSON body and the `ALARM: "<name>" in <region>` subject):
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
import { type Alarm, alarmArn, cloudwatchTime } from "../store/alarm-types.js";
import type { StateNote } from "./alarm-shapes.js";

/** The names CloudWatch writes for the regions, where Stratus knows them. */
const REGION_NAMES: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "eu-west-1": "EU (Ireland)",
  "eu-west-2": "EU (London)",
  "eu-west-3": "EU (Paris)",
  "eu-central-1": "EU (Frankfurt)",
  "eu-north-1": "EU (Stockholm)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "ca-central-1": "Canada (Central)",
  "sa-east-1": "South America (Sao Paulo)",
};

/** SNS's limit on a subject. */
const MAX_SUBJECT = 100;

export function alarmNotification(
  alarm: Alarm,
  region: string,
  from: StateNote,
  to: StateNote,
): { subject: string; message: string } {
  const where = REGION_NAMES[region] ?? region;
  const trigger = {
    MetricName: alarm.metricName,
    Namespace: alarm.namespace,
    StatisticType: alarm.statistic !== undefined ? "Statistic" : "ExtendedStatistic",
    ...(alarm.statistic !== undefined
      ? { Statistic: alarm.statistic.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() }
      : { ExtendedStatistic: alarm.extendedStatistic }),
    Unit: alarm.unit ?? null,
    Dimensions: alarm.dimensions.map((d) => ({ value: d.Value, name: d.Name })),
    Period: alarm.period,
    EvaluationPeriods: alarm.evaluationPeriods,
    ...(alarm.datapointsToAlarm !== undefined ? { DatapointsToAlarm: alarm.datapointsToAlarm } : {}),
    ComparisonOperator: alarm.comparisonOperator,
    Threshold: alarm.threshold,
    TreatMissingData: alarm.treatMissingData ?? "",
    EvaluateLowSampleCountPercentile: alarm.evaluateLowSampleCountPercentile ?? "",
  };
  const message = {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description ?? null,
    AWSAccountId: alarm.accountId,
    AlarmConfigurationUpdatedTimestamp: cloudwatchTime(alarm.configurationUpdatedAt),
    NewStateValue: to.value,
    NewStateReason: to.reason,
    StateChangeTime: cloudwatchTime(to.at),
    Region: where,
    AlarmArn: alarmArn(region, alarm.accountId, alarm.name),
    OldStateValue: from.value,
    OKActions: alarm.okActions,
    AlarmActions: alarm.alarmActions,
    InsufficientDataActions: alarm.insufficientDataActions,
    Trigger: trigger,
  };
  const subject = `${to.value}: "${alarm.name}" in ${where}`;
  return {
    subject: subject.length > MAX_SUBJECT ? subject.slice(0, MAX_SUBJECT) : subject,
    message: JSON.stringify(message),
  };
}
