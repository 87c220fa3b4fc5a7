// CloudWatch metric alarms in a control plane, built in one place so the composition
// root gains a line: the store, the operations the CloudWatch router serves (by
// operation name), and the evaluation loop every control plane runs.
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import { Counter, type Registry } from "prom-client";
import type { FunctionService } from "../services/function-service.js";
import type { TopicRefs } from "../sns/topic-refs.js";
import { createPgAlarmHistory } from "../store/alarm-history.js";
import { createPgAlarmStore } from "../store/alarm-store.js";
import { createPgMetricStore } from "../store/metric-store.js";
import { bounded } from "../store/pg-helpers.js";
import type { SettingsStore } from "../store/settings-store.js";
import { createAlarmReads } from "./alarm-describe.js";
import { startAlarmEvaluator } from "./alarm-evaluator.js";
import { createAlarmService } from "./alarm-service.js";
import { createAlarmTags } from "./alarm-tags.js";

/** An operation of CloudWatch's API: the caller's account and the decoded input, to the output. */
export type AlarmOp = (accountId: string, b: Record<string, unknown>) => Promise<Record<string, unknown>>;

export function startAlarms(
  pool: Pool,
  deps: {
    functions: Pick<FunctionService, "get">;
    settings: Pick<SettingsStore, "getEventInvokeConfig">;
    relay: { nudge(): void };
    registry: Registry;
    /** SNS's topics, which actions may name. */
    topics?: TopicRefs;
  },
  opts: { region: string; dbStatementTimeoutMs: number; alarms: { evaluationMs: number }; log: Logger },
) {
  const store = createPgAlarmStore(pool, opts.dbStatementTimeoutMs);
  const history = createPgAlarmHistory(pool, opts.dbStatementTimeoutMs);
  const lost = new Counter({
    name: "stratus_alarm_actions_lost_total",
    help: "Alarm actions not delivered because their function or topic no longer exists",
    registers: [deps.registry],
  });
  const changes = {
    functions: deps.functions,
    settings: deps.settings,
    region: opts.region,
    log: opts.log,
    lost,
    topics: deps.topics,
    nudge: () => deps.relay.nudge(),
  };
  const service = createAlarmService({ ...changes, store });
  const reads = createAlarmReads(store, history, opts.region);
  const tags = createAlarmTags(store, opts.region);
  const evaluator = startAlarmEvaluator({
    ...changes,
    store,
    history,
    metrics: createPgMetricStore(bounded(pool, opts.dbStatementTimeoutMs)),
    intervalMs: opts.alarms.evaluationMs,
  });
  const ops: Record<string, AlarmOp> = {
    PutMetricAlarm: service.putMetricAlarm,
    DeleteAlarms: service.deleteAlarms,
    SetAlarmState: service.setAlarmState,
    EnableAlarmActions: service.enableAlarmActions,
    DisableAlarmActions: service.disableAlarmActions,
    DescribeAlarms: reads.describeAlarms,
    DescribeAlarmsForMetric: reads.describeAlarmsForMetric,
    DescribeAlarmHistory: reads.describeAlarmHistory,
    TagResource: tags.tagResource,
    UntagResource: tags.untagResource,
    ListTagsForResource: tags.listTagsForResource,
  };
  return { ops, stop: () => evaluator.stop() };
}
