// What an alarm's change of state writes, in the transaction that holds the alarm:
// the new state, its StateUpdate history item, and, when its actions are enabled, an
// async invocation of each Lambda function among the new state's actions with
// CloudWatch's alarm event, and a message to each SNS topic among them in
// CloudWatch's notification shape (fanned out by SNS's publish relay). The invocations go the way a rule's or a schedule's do
// (acceptInTransaction, then the relay), limited by the function's own event-invoke
// config (retries, event age, destinations) as an async Invoke is (asyncLimitsOf). A function deleted since the alarm named it is counted as lost, logged,
// and recorded as a failed Action item.
import { LATEST, type Logger, StratusError } from "@stratus/shared";
import type { Counter } from "prom-client";
import { derivedUuid } from "../schedules/firing.js";
import { type Deliveries, functionOfArn } from "../schedules/targets.js";
import { asyncLimitsOf } from "../services/async-service.js";
import type { FunctionService } from "../services/function-service.js";
import { parseTopicArn } from "../sns/sns-names.js";
import type { TopicRefs } from "../sns/topic-refs.js";
import { writeStateChange } from "../store/alarm-store.js";
import { type Alarm, actionsOf, alarmArn, type HistoryItem } from "../store/alarm-types.js";
import type { BoundedDb } from "../store/pg-helpers.js";
import type { SettingsStore } from "../store/settings-store.js";
import { alarmNotification } from "./alarm-notification.js";
import { actionItem, lambdaEvent, type StateNote, stateItem } from "./alarm-shapes.js";

export interface StateChangeDeps {
  functions: Pick<FunctionService, "get">;
  settings: Pick<SettingsStore, "getEventInvokeConfig">;
  region: string;
  log: Pick<Logger, "warn">;
  /** Actions not delivered because their function or topic is gone. */
  lost: Pick<Counter, "inc">;
  /** SNS's topics, which actions may name; without them a topic action is lost. */
  topics?: TopicRefs | undefined;
}

/** Why action `arn` cannot be delivered now (its function or topic deleted: logged, counted); undefined when it can. */
async function missing(deps: StateChangeDeps, alarm: Alarm, arn: string): Promise<string | undefined> {
  let why: string | undefined;
  if (parseTopicArn(arn)) {
    why = deps.topics ? await deps.topics.fault(alarm.accountId, arn) : "Stratus serves no SNS here";
    if (why) why = "The topic does not exist";
  } else {
    const fn = functionOfArn(arn);
    if (!fn) return "Not an action Stratus can carry out";
    try {
      await deps.functions.get(alarm.accountId, fn.functionName, fn.qualifier);
    } catch (err) {
      if (!(err instanceof StratusError && err.status === 404)) throw err;
      why = "The function does not exist";
    }
  }
  if (why) {
    deps.lost.inc();
    deps.log.warn("an alarm action's function or topic no longer exists: its delivery is lost", {
      alarm: alarmArn(deps.region, alarm.accountId, alarm.name),
      action: arn,
    });
  }
  return why;
}

/** Adds the async invocation of action `arn` with `payload` to `into`, limited as the function's event-invoke config says. */
async function deliverAction(
  deps: StateChangeDeps,
  alarm: Alarm,
  arn: string,
  id: string,
  payload: string,
  into: Deliveries,
) {
  const fn = functionOfArn(arn);
  if (!fn) return;
  const config = await deps.settings.getEventInvokeConfig(alarm.accountId, fn.functionName, fn.qualifier ?? LATEST);
  into.invocations.push({
    id,
    accountId: alarm.accountId,
    functionName: fn.functionName,
    ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
    payload: Buffer.from(payload),
    ...asyncLimitsOf(config),
  });
}

/**
 * Moves `alarm` (locked by the caller's transaction `c`) to `to`, with its history
 * items and its actions' invocations; returns how many invocations were written
 * (the caller nudges the relay after its commit).
 */
export async function changeState(c: BoundedDb, alarm: Alarm, to: StateNote, deps: StateChangeDeps): Promise<number> {
  const from: StateNote = {
    value: alarm.state,
    reason: alarm.stateReason,
    ...(alarm.stateReasonData !== undefined ? { reasonData: alarm.stateReasonData } : {}),
    at: alarm.stateUpdatedAt,
  };
  const items: HistoryItem[] = [stateItem(alarm.name, from, to)];
  const into: Deliveries = { invocations: [], letters: [], starts: [], publishes: [] };
  if (alarm.actionsEnabled) {
    const payload = JSON.stringify(lambdaEvent(alarm, deps.region, from, to));
    for (const arn of new Set(actionsOf(alarm, to.value))) {
      const why = await missing(deps, alarm, arn);
      if (why) {
        items.push(actionItem(alarm.name, arn, to.at, to.at, why));
        continue;
      }
      const id = derivedUuid(`alarm/${alarm.accountId}/${alarm.name}/${to.value}/${to.at.toISOString()}/${arn}`);
      if (parseTopicArn(arn)) {
        const { subject, message } = alarmNotification(alarm, deps.region, from, to);
        into.publishes?.push({ id, accountId: alarm.accountId, topicArn: arn, subject, message });
      } else await deliverAction(deps, alarm, arn, id, payload, into);
      items.push(actionItem(alarm.name, arn, to.at, to.at));
    }
  }
  return writeStateChange(
    c,
    alarm.accountId,
    alarm.name,
    {
      value: to.value,
      reason: to.reason,
      ...(to.reasonData !== undefined ? { reasonData: to.reasonData } : {}),
      at: to.at,
    },
    items,
    into,
  );
}
