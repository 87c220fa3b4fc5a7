// CloudWatch's alarm reads: DescribeAlarms (by names or a prefix, state and action
// prefix, paged by name), DescribeAlarmsForMetric, and DescribeAlarmHistory (by alarm,
// item type and time, in either order, paged). Stratus has metric alarms only:
// CompositeAlarms (and LogAlarms) answer none, and the composite alarm family
// parameters are refused by name.
import { StratusError } from "@stratus/shared";
import { nameToken, parseNameToken } from "../logs/page-tokens.js";
import {
  type Body,
  badCombination,
  dimensions,
  integer,
  invalidValue,
  list,
  onlyKnown,
  optional,
  required,
  text,
  timestamp,
} from "../monitoring/cloudwatch-input.js";
import type { Dimension } from "../monitoring/metric-catalog.js";
import type { AlarmHistory } from "../store/alarm-history.js";
import type { AlarmStore } from "../store/alarm-store.js";
import {
  type Alarm,
  HISTORY_ITEM_TYPES,
  type HistoryItemType,
  STATE_VALUES,
  type StateValue,
} from "../store/alarm-types.js";
import { alarmName, alarmNames, oneOf } from "./alarm-input.js";
import { metricAlarm } from "./alarm-shapes.js";

const ALARM_TYPES = ["MetricAlarm", "CompositeAlarm", "LogAlarm"];
const DEFAULT_RECORDS = 50;
const MAX_RECORDS = 100;

const badToken = () => new StratusError("InvalidNextToken", 400, "client", "The NextToken is not valid");

/** The value a NextToken of ours carries (logs/page-tokens.ts writes and reads it); InvalidNextToken when it is none. */
function readToken<T>(token: string | undefined, valid: (v: unknown) => v is T): T | undefined {
  if (token === undefined) return undefined;
  const v = parseNameToken(token, valid);
  if (v === undefined) throw badToken();
  return v;
}

/** `values`' member a field names (alarm-input.ts oneOf), as its type. */
const enumOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown, field: string): T =>
    oneOf(values)(v, field) as T;

function maxRecords(b: Body): number {
  const n = optional(b, "MaxRecords", integer) ?? DEFAULT_RECORDS;
  if (n < 1 || n > MAX_RECORDS) throw invalidValue(`The parameter MaxRecords must be from 1 to ${MAX_RECORDS}`);
  return n;
}

/** Which alarm types a request asks for; none named: metric alarms only. */
const typesAsked = (b: Body) => optional(b, "AlarmTypes", list(3, enumOf(ALARM_TYPES))) ?? ["MetricAlarm"];

const sameDimensions = (a: Dimension[], b: Dimension[]) =>
  a.length === b.length && a.every((d) => b.some((x) => x.Name === d.Name && x.Value === d.Value));

export function createAlarmReads(store: AlarmStore, history: Pick<AlarmHistory, "list">, region: string) {
  return {
    async describeAlarms(accountId: string, b: Body): Promise<Body> {
      onlyKnown(
        b,
        [
          "AlarmNames",
          "AlarmNamePrefix",
          "AlarmTypes",
          "ChildrenOfAlarmName",
          "ParentsOfAlarmName",
          "StateValue",
          "ActionPrefix",
          "MaxRecords",
          "NextToken",
        ],
        "",
      );
      for (const field of ["ChildrenOfAlarmName", "ParentsOfAlarmName"]) {
        if (b[field] !== undefined && b[field] !== null) {
          throw invalidValue(`The parameter ${field} is not supported by Stratus: it serves no composite alarms`);
        }
      }
      const names = optional(b, "AlarmNames", alarmNames);
      const prefix = optional(b, "AlarmNamePrefix", (v, f) => text(v, f, 255));
      if (names !== undefined && names.length > 0 && prefix !== undefined) {
        throw badCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive");
      }
      const types = typesAsked(b);
      const state = optional(b, "StateValue", enumOf(STATE_VALUES));
      const actionPrefix = optional(b, "ActionPrefix", (v, f) => text(v, f, 1024));
      const limit = maxRecords(b);
      const token = readToken(
        optional(b, "NextToken", (v, f) => text(v, f, 1024)),
        (v): v is { after: string } => typeof (v as { after?: unknown })?.after === "string",
      );
      const out: Body = { CompositeAlarms: [] };
      if (types.includes("LogAlarm")) out.LogAlarms = [];
      if (!types.includes("MetricAlarm")) return { MetricAlarms: [], ...out };
      const rows = await store.list(accountId, {
        ...(names !== undefined && names.length > 0 ? { names } : {}),
        ...(prefix !== undefined ? { prefix } : {}),
        ...(state !== undefined ? { state: state as StateValue } : {}),
        ...(actionPrefix !== undefined ? { actionPrefix } : {}),
        ...(token ? { after: token.after } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        MetricAlarms: page.map((a) => metricAlarm(a, region)),
        ...out,
        ...(rows.length > limit && last ? { NextToken: nameToken({ after: last.name }) } : {}),
      };
    },

    async describeAlarmsForMetric(accountId: string, b: Body): Promise<Body> {
      onlyKnown(b, ["MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit"], "");
      const metricName = required(b, "MetricName", (v, f) => text(v, f, 255));
      const namespace = required(b, "Namespace", (v, f) => text(v, f, 255));
      const statistic = optional(b, "Statistic", (v, f) => text(v, f, 40));
      const extended = optional(b, "ExtendedStatistic", (v, f) => text(v, f, 40));
      const dims = optional(b, "Dimensions", dimensions) ?? [];
      const period = optional(b, "Period", integer);
      const unit = optional(b, "Unit", (v, f) => text(v, f, 40));
      const matches = (a: Alarm) =>
        (statistic === undefined || a.statistic === statistic) &&
        (extended === undefined || a.extendedStatistic === extended) &&
        (period === undefined || a.period === period) &&
        (unit === undefined || a.unit === unit) &&
        sameDimensions(a.dimensions, dims);
      const alarms = (await store.forMetric(accountId, namespace, metricName)).filter(matches);
      return { MetricAlarms: alarms.map((a) => metricAlarm(a, region)) };
    },

    async describeAlarmHistory(accountId: string, b: Body): Promise<Body> {
      onlyKnown(
        b,
        [
          "AlarmName",
          "AlarmContributorId",
          "AlarmTypes",
          "HistoryItemType",
          "StartDate",
          "EndDate",
          "MaxRecords",
          "NextToken",
          "ScanBy",
        ],
        "",
      );
      if (b.AlarmContributorId !== undefined && b.AlarmContributorId !== null) {
        throw invalidValue(
          "The parameter AlarmContributorId is not supported by Stratus: it serves no contributor alarms",
        );
      }
      const name = optional(b, "AlarmName", alarmName);
      const type = optional(
        b,
        "HistoryItemType",
        enumOf([...HISTORY_ITEM_TYPES, "AlarmContributorStateUpdate", "AlarmContributorAction"] as const),
      );
      const start = optional(b, "StartDate", timestamp);
      const end = optional(b, "EndDate", timestamp);
      const scanBy = optional(b, "ScanBy", enumOf(["TimestampDescending", "TimestampAscending"] as const));
      const limit = maxRecords(b);
      const token = readToken(
        optional(b, "NextToken", (v, f) => text(v, f, 1024)),
        (v): v is { at: number; id: string } =>
          Number.isSafeInteger((v as { at?: unknown })?.at) && /^\d{1,19}$/.test(String((v as { id?: unknown })?.id)),
      );
      // Contributor items belong to alarms Stratus does not have, as do other alarm types' items.
      if (!typesAsked(b).includes("MetricAlarm") || type?.startsWith("AlarmContributor")) {
        return { AlarmHistoryItems: [] };
      }
      const rows = await history.list(accountId, {
        ...(name !== undefined ? { alarmName: name } : {}),
        ...(type !== undefined ? { type: type as HistoryItemType } : {}),
        ...(start ? { start } : {}),
        ...(end ? { end } : {}),
        ascending: scanBy === "TimestampAscending",
        ...(token ? { after: { at: new Date(token.at), id: token.id } } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        AlarmHistoryItems: page.map((i) => ({
          AlarmName: i.alarmName,
          AlarmType: "MetricAlarm",
          Timestamp: i.at,
          HistoryItemType: i.type,
          HistorySummary: i.summary,
          HistoryData: i.data,
        })),
        ...(rows.length > limit && last ? { NextToken: nameToken({ at: last.at.getTime(), id: last.id }) } : {}),
      };
    },
  };
}
