// What CloudWatch answers and writes about an alarm: its MetricAlarm (DescribeAlarms),
// the history items of its changes (StateUpdate, ConfigurationUpdate, Action), and the
// event a Lambda function given as an alarm action receives:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-actions-Lambda
import { derivedUuid } from "../schedules/firing.js";
import {
  type Alarm,
  type AlarmConfig,
  alarmArn,
  cloudwatchTime,
  type HistoryItem,
  type StateValue,
} from "../store/alarm-types.js";

type Body = Record<string, unknown>;

/** The MetricAlarm shape, every configured field and the state's. */
export function metricAlarm(a: Alarm, region: string): Body {
  return {
    AlarmName: a.name,
    AlarmArn: alarmArn(region, a.accountId, a.name),
    ...(a.description !== undefined ? { AlarmDescription: a.description } : {}),
    AlarmConfigurationUpdatedTimestamp: a.configurationUpdatedAt,
    ActionsEnabled: a.actionsEnabled,
    OKActions: a.okActions,
    AlarmActions: a.alarmActions,
    InsufficientDataActions: a.insufficientDataActions,
    StateValue: a.state,
    StateReason: a.stateReason,
    ...(a.stateReasonData !== undefined ? { StateReasonData: a.stateReasonData } : {}),
    StateUpdatedTimestamp: a.stateUpdatedAt,
    MetricName: a.metricName,
    Namespace: a.namespace,
    ...(a.statistic !== undefined ? { Statistic: a.statistic } : {}),
    ...(a.extendedStatistic !== undefined ? { ExtendedStatistic: a.extendedStatistic } : {}),
    Dimensions: a.dimensions,
    Period: a.period,
    ...(a.unit !== undefined ? { Unit: a.unit } : {}),
    EvaluationPeriods: a.evaluationPeriods,
    ...(a.datapointsToAlarm !== undefined ? { DatapointsToAlarm: a.datapointsToAlarm } : {}),
    Threshold: a.threshold,
    ComparisonOperator: a.comparisonOperator,
    ...(a.treatMissingData !== undefined ? { TreatMissingData: a.treatMissingData } : {}),
    ...(a.evaluateLowSampleCountPercentile !== undefined
      ? { EvaluateLowSampleCountPercentile: a.evaluateLowSampleCountPercentile }
      : {}),
    StateTransitionedTimestamp: a.stateTransitionedAt,
  };
}

/** An alarm as history data holds it: MetricAlarm's fields, lowerCamelCase, times as CloudWatch writes them. */
function historyAlarm(a: Alarm, region: string): Body {
  const out: Body = {};
  for (const [k, v] of Object.entries(metricAlarm(a, region))) {
    out[k.charAt(0).toLowerCase() + k.slice(1)] = v instanceof Date ? cloudwatchTime(v) : v;
  }
  return out;
}

export function configurationItem(
  change: "Create" | "Update" | "Delete",
  alarm: Alarm,
  region: string,
  at: Date,
  before?: Alarm,
): HistoryItem {
  const verb = { Create: "created", Update: "updated", Delete: "deleted" }[change];
  const data =
    change === "Create"
      ? { createdAlarm: historyAlarm(alarm, region) }
      : change === "Delete"
        ? { deletedAlarm: historyAlarm(alarm, region) }
        : { originalUpdatedAlarm: before && historyAlarm(before, region), updatedAlarm: historyAlarm(alarm, region) };
  return {
    alarmName: alarm.name,
    type: "ConfigurationUpdate",
    at,
    summary: `Alarm "${alarm.name}" ${verb}`,
    data: JSON.stringify({ version: "1.0", type: change, ...data }),
  };
}

/** A state as history data and the Lambda event carry it. */
export interface StateNote {
  value: StateValue;
  reason: string;
  reasonData?: string;
  at: Date;
}

const parsedData = (text: string | undefined) => {
  if (text === undefined) return {};
  try {
    return { stateReasonData: JSON.parse(text) as unknown };
  } catch {
    return { stateReasonData: text };
  }
};

export function stateItem(name: string, from: StateNote, to: StateNote): HistoryItem {
  const note = (s: StateNote) => ({ stateValue: s.value, stateReason: s.reason, ...parsedData(s.reasonData) });
  return {
    alarmName: name,
    type: "StateUpdate",
    at: to.at,
    summary: `Alarm updated from ${from.value} to ${to.value}`,
    data: JSON.stringify({ version: "1.0", oldState: note(from), newState: note(to) }),
  };
}

export function actionItem(name: string, arn: string, at: Date, stateAt: Date, error?: string): HistoryItem {
  return {
    alarmName: name,
    type: "Action",
    at,
    summary: error
      ? `Failed to execute action ${arn}. Received error: "${error}"`
      : `Successfully executed action ${arn}`,
    data: JSON.stringify({
      actionState: error ? "Failed" : "Succeeded",
      stateUpdateTimestamp: stateAt.getTime(),
      notificationResource: arn,
      ...(error ? { error } : {}),
    }),
  };
}

/** The event a Lambda function given as an action of `alarm` is invoked with. */
export function lambdaEvent(
  alarm: AlarmConfig & { accountId: string },
  region: string,
  from: StateNote,
  to: StateNote,
) {
  const arn = alarmArn(region, alarm.accountId, alarm.name);
  const state = (s: StateNote) => ({
    value: s.value,
    reason: s.reason,
    ...(s.reasonData !== undefined ? { reasonData: s.reasonData } : {}),
    timestamp: cloudwatchTime(s.at),
  });
  return {
    source: "aws.cloudwatch",
    alarmArn: arn,
    accountId: alarm.accountId,
    time: cloudwatchTime(to.at),
    region,
    alarmData: {
      alarmName: alarm.name,
      state: state(to),
      previousState: state(from),
      configuration: {
        ...(alarm.description !== undefined ? { description: alarm.description } : {}),
        metrics: [
          {
            id: derivedUuid(arn),
            metricStat: {
              metric: {
                namespace: alarm.namespace,
                name: alarm.metricName,
                dimensions: Object.fromEntries(alarm.dimensions.map((d) => [d.Name, d.Value])),
              },
              period: alarm.period,
              stat: alarm.statistic ?? alarm.extendedStatistic,
              ...(alarm.unit !== undefined ? { unit: alarm.unit } : {}),
            },
            returnData: true,
          },
        ],
      },
    },
  };
}
