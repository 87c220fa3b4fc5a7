// ListMetrics over Stratus's AWS/Lambda metrics: the account's series with data in
// the last two weeks (or three hours with RecentlyActive=PT3H), as CloudWatch lists
// them, filtered by namespace, metric name and dimensions (a series matches when it
// has every dimension the filter names), 500 a page.
import { StratusError } from "@stratus/shared";
import type { MetricStore } from "../store/metric-store.js";
import {
  type Body,
  bool,
  invalidValue,
  list,
  onlyKnown,
  optional,
  required,
  struct,
  text,
} from "./cloudwatch-input.js";
import { type Dimension, dimensionsOf, NAMESPACE } from "./metric-catalog.js";

const PAGE = 500;
/** The most (function, qualifier, version) rows one call reads from each source. */
const MAX_SERIES_ROWS = 10_000;

interface Filter {
  Name: string;
  Value?: string;
}

function filter(v: unknown, field: string): Filter {
  const d = struct(v, field);
  onlyKnown(d, ["Name", "Value"], `${field}.`);
  const value = optional(d, "Value", (x, f) => text(x, f, 1024));
  return {
    Name: required(d, "Name", (x, f) => text(x, f, 255), `${field}.Name`),
    ...(value !== undefined ? { Value: value } : {}),
  };
}

const matches = (dims: Dimension[], filters: Filter[]) =>
  filters.every((f) => dims.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)));

export async function listMetrics(store: MetricStore, accountId: string, b: Body, now: Date): Promise<Body> {
  onlyKnown(
    b,
    ["Namespace", "MetricName", "Dimensions", "NextToken", "RecentlyActive", "IncludeLinkedAccounts", "OwningAccount"],
    "",
  );
  const namespace = optional(b, "Namespace", (v, f) => text(v, f, 255));
  const metricName = optional(b, "MetricName", (v, f) => text(v, f, 255));
  const filters = optional(b, "Dimensions", list(10, filter)) ?? [];
  const recently = optional(b, "RecentlyActive", (v, f) => text(v, f, 10));
  if (recently !== undefined && recently !== "PT3H") throw invalidValue("The parameter RecentlyActive must be PT3H");
  if (optional(b, "IncludeLinkedAccounts", bool)) {
    throw invalidValue("The parameter IncludeLinkedAccounts is not supported by Stratus: it has no linked accounts");
  }
  const owner = optional(b, "OwningAccount", (v, f) => text(v, f, 255));
  if (owner !== undefined && owner !== accountId) {
    throw invalidValue("The parameter OwningAccount: cross-account listing is not supported by Stratus");
  }
  const token = optional(b, "NextToken", (v, f) => text(v, f, 100));
  const offset = token === undefined ? 0 : Number(Buffer.from(token, "base64url").toString("utf8"));
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new StratusError("InvalidNextToken", 400, "client", "The NextToken is not valid");
  }
  if (namespace !== undefined && namespace !== NAMESPACE) return { Metrics: [] };

  const since = new Date(now.getTime() - (recently ? 3 * 3600_000 : 14 * 86_400_000));
  const seen = new Map<string, Body>();
  for (const s of await store.series(accountId, since, MAX_SERIES_ROWS)) {
    if (metricName !== undefined && s.metric !== metricName) continue;
    const dims = dimensionsOf(s.key);
    if (!matches(dims, filters)) continue;
    const id = JSON.stringify([s.metric, dims]);
    if (!seen.has(id)) seen.set(id, { Namespace: NAMESPACE, MetricName: s.metric, Dimensions: dims });
  }
  const all = [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m);
  const page = all.slice(offset, offset + PAGE);
  const next = offset + PAGE < all.length ? Buffer.from(String(offset + PAGE)).toString("base64url") : undefined;
  return { Metrics: page, ...(next ? { NextToken: next } : {}) };
}
