// What an alarm's change of state writes, in the transaction that holds the alarm:
// the new state, its StateUpdate history item, and, when its actions are enabled, an
// async invocation of each Lambda function among the new state's actions with
// CloudWatch's alarm event. The invocations go the way a rule's or a schedule's do
// (acceptInTransaction, then the relay), limited by the function's own event-invoke
// config (retries, event age, destinations) as an async Invoke is (asyncLimitsOf). A function deleted since the alarm named it is counted as lost, logged,
// and recorded as a failed Action item.
import { LATEST, type Logger, StratusError } from "@stratus/shared";
import type { Counter } from "prom-client";
import { derivedUuid } from "../schedules/firing.js";
import { type Deliveries, functionOfArn } from "../schedules/targets.js";
import { asyncLimitsOf } from "../services/async-service.js";
import type { FunctionService } from "../services/function-service.js";
import { writeStateChange } from "../store/alarm-store.js";
import { type Alarm, actionsOf, alarmArn, type HistoryItem } from "../store/alarm-types.js";
import type { BoundedDb } from "../store/pg-helpers.js";
import type { SettingsStore } from "../store/settings-store.js";
import { actionItem, lambdaEvent, type StateNote, stateItem } from "./alarm-shapes.js";

export interface StateChangeDeps {
  functions: Pick<FunctionService, "get">;
  settings: Pick<SettingsStore, "getEventInvokeConfig">;
  region: string;
  log: Pick<Logger, "warn">;
  /** Actions not delivered because their function is gone. */
  lost: Pick<Counter, "inc">;
}

/** Whether the function exists now; false (logged, counted) when it was deleted. */
async function exists(deps: StateChangeDeps, alarm: Alarm, arn: string): Promise<boolean> {
  const fn = functionOfArn(arn);
  if (!fn) return false;
  try {
    await deps.functions.get(alarm.accountId, fn.functionName, fn.qualifier);
    return true;
  } catch (err) {
    if (!(err instanceof StratusError && err.status === 404)) throw err;
    deps.lost.inc();
    deps.log.warn("an alarm action's function no longer exists: its delivery is lost", {
      alarm: alarmArn(deps.region, alarm.accountId, alarm.name),
      action: arn,
    });
    return false;
  }
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
  const into: Deliveries = { invocations: [], letters: [], starts: [] };
  if (alarm.actionsEnabled) {
    const payload = JSON.stringify(lambdaEvent(alarm, deps.region, from, to));
    for (const arn of new Set(actionsOf(alarm, to.value))) {
      if (!(await exists(deps, alarm, arn))) {
        items.push(actionItem(alarm.name, arn, to.at, to.at, "The function does not exist"));
        continue;
      }
      const id = derivedUuid(`alarm/${alarm.accountId}/${alarm.name}/${to.value}/${to.at.toISOString()}/${arn}`);
      await deliverAction(deps, alarm, arn, id, payload, into);
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
    into.invocations,
  );
}
