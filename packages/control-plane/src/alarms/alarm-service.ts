// CloudWatch's alarm operations that change alarms: PutMetricAlarm, DeleteAlarms,
// SetAlarmState (which runs the new state's actions, as CloudWatch does), and
// Enable/DisableAlarmActions. Reads are alarm-describe.ts's, tags alarm-tags.ts's.
// Each operation takes its input as any of the three protocols decoded it.
import { StratusError } from "@stratus/shared";
import { type Body, invalidValue, onlyKnown, optional, required, text } from "../monitoring/cloudwatch-input.js";
import type { AlarmStore } from "../store/alarm-store.js";
import { STATE_VALUES, type StateValue } from "../store/alarm-types.js";
import { storableText } from "../store/pg-helpers.js";
import { alarmName, alarmNames, readPutMetricAlarm } from "./alarm-input.js";
import { configurationItem } from "./alarm-shapes.js";
import { changeState, type StateChangeDeps } from "./state-change.js";

const notFound = (name: string) =>
  new StratusError("ResourceNotFound", 404, "client", `No alarm named ${name} exists in this account.`);

export interface AlarmServiceDeps extends StateChangeDeps {
  store: AlarmStore;
  /** Wakes the async relay: invocations were written. */
  nudge(): void;
}

export function createAlarmService(deps: AlarmServiceDeps) {
  const { store, region } = deps;

  async function setActions(accountId: string, b: Body, enabled: boolean): Promise<Body> {
    onlyKnown(b, ["AlarmNames"], "");
    const names = required(b, "AlarmNames", alarmNames);
    if (names.length > 0) await store.setActionsEnabled(accountId, names, enabled);
    return {};
  }

  return {
    async putMetricAlarm(accountId: string, b: Body): Promise<Body> {
      const { config, tags } = readPutMetricAlarm(b, accountId, region);
      await store.put(accountId, config, tags, (after, before) =>
        configurationItem(before ? "Update" : "Create", after, region, after.configurationUpdatedAt, before),
      );
      return {};
    },

    async deleteAlarms(accountId: string, b: Body): Promise<Body> {
      onlyKnown(b, ["AlarmNames"], "");
      const names = required(b, "AlarmNames", alarmNames);
      // Names of no alarm are passed over, as CloudWatch passes them over.
      if (names.length > 0) {
        await store.remove(accountId, names, (before, at) => configurationItem("Delete", before, region, at));
      }
      return {};
    },

    async setAlarmState(accountId: string, b: Body): Promise<Body> {
      onlyKnown(b, ["AlarmName", "StateValue", "StateReason", "StateReasonData"], "");
      const name = required(b, "AlarmName", alarmName);
      const value = required(b, "StateValue", (v, f) => {
        const s = text(v, f, 40);
        if (!(STATE_VALUES as readonly string[]).includes(s)) {
          throw invalidValue(`The parameter ${f} must be one of ${STATE_VALUES.join(", ")}`);
        }
        return s as StateValue;
      });
      const reason = required(b, "StateReason", (v, f) => text(v, f, 1023));
      const data = optional(b, "StateReasonData", (v, f) => text(v, f, 4000));
      if (!storableText(reason) || (data !== undefined && !storableText(data))) {
        throw invalidValue("StateReason and StateReasonData must hold characters that can be stored");
      }
      if (data !== undefined) {
        try {
          JSON.parse(data);
        } catch {
          throw new StratusError("InvalidFormatFault", 400, "client", "Data was not syntactically valid JSON");
        }
      }
      const written = await store.withAlarm(accountId, name, async (alarm, now, c) => {
        if (!alarm) throw notFound(name);
        // The same state again changes nothing and runs no action.
        if (alarm.state === value) return 0;
        const to = { value, reason, ...(data !== undefined ? { reasonData: data } : {}), at: now };
        return changeState(c, alarm, to, deps);
      });
      if (written > 0) deps.nudge();
      return {};
    },

    enableAlarmActions: (accountId: string, b: Body) => setActions(accountId, b, true),
    disableAlarmActions: (accountId: string, b: Body) => setActions(accountId, b, false),
  };
}
