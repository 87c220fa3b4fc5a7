// GetMetricData over Stratus's AWS/Lambda metrics: up to 500 MetricStat queries, each
// answered as a series of (timestamp, value) in ScanBy's order, paged by MaxDatapoints
// with a NextToken that says where the next page resumes. Metric math (Expression) is
// refused by name.
import { StratusError } from "@stratus/shared";
import type { MetricStore } from "../store/metric-store.js";
import {
  type Body,
  badCombination,
  bool,
  dimensions,
  integer,
  invalidValue,
  list,
  onlyKnown,
  optional,
  required,
  struct,
  text,
  timestamp,
} from "./cloudwatch-input.js";
import { readSeries } from "./metric-series.js";
import { checkPeriod, checkTimes, datapointsAsked, parseStat, statValue } from "./statistics.js";

/** AWS's limits: queries per call, and datapoints per call (also MaxDatapoints' default). */
export const MAX_QUERIES = 500;
export const MAX_DATAPOINTS = 100_800;

const ID = /^[a-z][a-zA-Z0-9_]{0,254}$/;

interface Query {
  id: string;
  label?: string;
  returnData: boolean;
  run: Parameters<typeof readSeries>[1];
}

function readQuery(v: unknown, field: string, accountId: string, start: Date, end: Date): Query {
  const q = struct(v, field);
  onlyKnown(q, ["Id", "MetricStat", "Expression", "Label", "ReturnData", "Period", "AccountId"], `${field}.`);
  const id = required(q, "Id", (x, f) => text(x, f, 255), `${field}.Id`);
  if (!ID.test(id)) {
    throw invalidValue(
      `The value ${id} for parameter ${field}.Id is not valid: it must start with a lowercase letter, then letters, digits or _`,
    );
  }
  if (q.Expression !== undefined) {
    throw invalidValue(
      `${field}.Expression (metric math and Metrics Insights queries) is not supported by Stratus: use MetricStat`,
    );
  }
  if (q.Period !== undefined) {
    throw invalidValue(
      `${field}.Period applies to Expression queries only, which Stratus does not support: use MetricStat.Period`,
    );
  }
  const account = optional(q, "AccountId", (x, f) => text(x, f, 255));
  if (account !== undefined && account !== accountId) {
    throw invalidValue(`${field}.AccountId: cross-account queries are not supported by Stratus`);
  }
  const stat = struct(
    required(q, "MetricStat", (x) => x, `${field}.MetricStat`),
    `${field}.MetricStat`,
  );
  onlyKnown(stat, ["Metric", "Period", "Stat", "Unit"], `${field}.MetricStat.`);
  const metric = struct(
    required(stat, "Metric", (x) => x, `${field}.MetricStat.Metric`),
    `${field}.MetricStat.Metric`,
  );
  onlyKnown(metric, ["Namespace", "MetricName", "Dimensions"], `${field}.MetricStat.Metric.`);
  const period = required(stat, "Period", integer, `${field}.MetricStat.Period`);
  checkPeriod(period, `${field}.MetricStat.Period`);
  const unit = optional(stat, "Unit", (x, f) => text(x, f, 40));
  if (datapointsAsked(start, end, period) > MAX_DATAPOINTS) {
    throw badCombination(
      `${field} asks for more than ${MAX_DATAPOINTS} datapoints: increase its Period or shorten the time range`,
    );
  }
  const label = optional(q, "Label", (x, f) => text(x, f, 1024));
  const metricName = required(metric, "MetricName", (x, f) => text(x, f, 255), `${field}.MetricStat.Metric.MetricName`);
  return {
    id,
    ...(label !== undefined ? { label } : {}),
    returnData: optional(q, "ReturnData", bool) ?? true,
    run: {
      accountId,
      namespace: required(metric, "Namespace", (x, f) => text(x, f, 255), `${field}.MetricStat.Metric.Namespace`),
      metricName,
      dimensions: optional(metric, "Dimensions", dimensions) ?? [],
      start,
      end,
      period,
      stats: [parseStat(required(stat, "Stat", (x, f) => text(x, f, 100), `${field}.MetricStat.Stat`))],
      ...(unit !== undefined ? { unit } : {}),
    },
  };
}

interface Cursor {
  query: number;
  point: number;
}

function readToken(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Cursor;
    if (Number.isSafeInteger(c.query) && Number.isSafeInteger(c.point) && c.query >= 0 && c.point >= 0) return c;
  } catch {}
  throw new StratusError("InvalidNextToken", 400, "client", "The NextToken is not valid");
}

const writeToken = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

export async function getMetricData(store: MetricStore, accountId: string, b: Body): Promise<Body> {
  onlyKnown(
    b,
    ["MetricDataQueries", "StartTime", "EndTime", "NextToken", "ScanBy", "MaxDatapoints", "LabelOptions"],
    "",
  );
  if (b.LabelOptions !== undefined) throw invalidValue("The parameter LabelOptions is not supported by Stratus");
  const start = required(b, "StartTime", timestamp);
  const end = required(b, "EndTime", timestamp);
  checkTimes(start, end);
  const raw = required(
    b,
    "MetricDataQueries",
    list(MAX_QUERIES, (v) => v),
  );
  if (raw.length === 0) throw invalidValue("The parameter MetricDataQueries must have at least one member");
  const queries = raw.map((v, i) => readQuery(v, `MetricDataQueries.member.${i + 1}`, accountId, start, end));
  const ids = new Set(queries.map((q) => q.id));
  if (ids.size !== queries.length) throw invalidValue("The Id of each MetricDataQueries member must be unique");
  const scanBy = optional(b, "ScanBy", (v, f) => text(v, f, 40)) ?? "TimestampDescending";
  if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") {
    throw invalidValue("The parameter ScanBy must be TimestampDescending or TimestampAscending");
  }
  const max = optional(b, "MaxDatapoints", integer) ?? MAX_DATAPOINTS;
  if (max < 1) throw invalidValue("The parameter MaxDatapoints must be at least 1");
  const token = optional(b, "NextToken", (v, f) => text(v, f, 4096));
  const cursor = token !== undefined ? readToken(token) : { query: 0, point: 0 };
  const returned = queries.filter((q) => q.returnData);
  if (cursor.query > returned.length)
    throw new StratusError("InvalidNextToken", 400, "client", "The NextToken is not valid");

  const results: Body[] = [];
  let budget = max;
  let next: Cursor | undefined;
  for (let i = cursor.query; i < returned.length; i++) {
    const q = returned[i] as Query;
    if (budget === 0) {
      next = { query: i, point: 0 };
      break;
    }
    const stat = q.run.stats[0];
    const answer = await readSeries(store, q.run);
    const points = answer.buckets.flatMap((bucket) => {
      const v = stat ? statValue(bucket, stat) : undefined;
      return v === undefined ? [] : [{ at: new Date(bucket.start * 1000), v }];
    });
    if (scanBy === "TimestampDescending") points.reverse();
    const from = i === cursor.query ? cursor.point : 0;
    const page = points.slice(from, from + budget);
    budget -= page.length;
    const partial = from + page.length < points.length;
    results.push({
      Id: q.id,
      Label: q.label ?? q.run.metricName,
      Timestamps: page.map((p) => p.at),
      Values: page.map((p) => p.v),
      StatusCode: partial ? "PartialData" : "Complete",
      Messages: [],
    });
    if (partial) {
      next = { query: i, point: from + page.length };
      break;
    }
  }
  return { MetricDataResults: results, Messages: [], ...(next ? { NextToken: writeToken(next) } : {}) };
}
