// The usage fact table (migration 017) and its hourly rollups (019) in Postgres:
// writing rows (ON CONFLICT DO NOTHING on (request_id, attempt), so a resend never
// counts twice), and reading totals per account, function and UTC day over a range,
// from the rollups below the rollup watermark and from the raw rows above it.
import type { RunOutcome } from "@stratus/shared";
import type { Pool } from "pg";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export type InvocationType = "RequestResponse" | "Event";

/** One invocation_usage row: what one run attempt of a function used. */
export interface UsageRow {
  requestId: string;
  /** 1 for a sync invoke; an async attempt's number among those that reached a node (its invoke count). */
  attempt: number;
  accountId: string;
  functionName: string;
  /** The version that ran. */
  version: string;
  /** The qualifier the caller named ('' when unqualified): Lambda's Resource dimension. */
  resource: string;
  invocationType: InvocationType;
  outcome: RunOutcome;
  endedAt: Date;
  memoryMb: number;
  durationMs: number;
  initMs: number;
  billedMs: number;
  cold: boolean;
}

/** Totals of one account's function over one UTC day (or the part of it a report covers). */
export interface UsageDay {
  accountId: string;
  functionName: string;
  day: Date;
  requests: number;
  errors: number;
  billedMs: number;
  gbSeconds: number;
  coldStarts: number;
}

/** What UsageStore.usedSinceWith read. */
export interface UsedAndWritten {
  used: Map<string, MonthToDate>;
  /** The keys of the pending attempts whose rows were there. */
  written: Set<string>;
}

/** The key usedSinceWith knows an attempt's row by. */
export const attemptKey = (row: Pick<UsageRow, "requestId" | "attempt">): string =>
  `${row.requestId.toLowerCase()}/${row.attempt}`;

/** One account's usage since the start of a month. */
export interface MonthToDate {
  requests: number;
  gbSeconds: number;
}

export interface UsageStore {
  /** Writes rows; one already there (same request id and attempt) is left as it is. */
  insert(rows: UsageRow[]): Promise<void>;
  /** Totals per account, function and day of [since, until) (hour-aligned); one account's, or all (undefined). */
  report(since: Date, until: Date, accountId: string | undefined): Promise<UsageDay[]>;
  /** Usage since `since` of each of `accountIds`. */
  usedSince(since: Date, accountIds: string[]): Promise<Map<string, MonthToDate>>;
  /**
   * usedSince, and which of `pending` (attempts keyed `requestId/attempt`) have their
   * rows in it: read in one statement, so in one snapshot.
   */
  usedSinceWith(since: Date, accountIds: string[], pending: string[]): Promise<UsedAndWritten>;
  /** The names of those of `accountIds` that exist, by id. */
  accountNames(accountIds: string[]): Promise<Map<string, string>>;
}

/** Columns of invocation_usage in the order usageArrays gives them. */
export const USAGE_COLUMNS =
  "request_id, attempt, account_id, function_name, version, resource, invocation_type, outcome, ended_at, memory_mb, duration_ms, init_ms, billed_ms, cold";

const USAGE_TYPES = [
  "uuid",
  "int",
  "text",
  "text",
  "text",
  "text",
  "text",
  "text",
  "timestamptz",
  "int",
  "float8",
  "float8",
  "bigint",
  "bool",
];

/**
 * The unnest() of usageArrays from parameter $n on, as table `u`; `lead`, a column
 * given first (its array the parameter before them all, $n-1).
 */
export function usageUnnest(n: number, lead?: { name: string; type: string }): string {
  const params = USAGE_TYPES.map((t, i) => `$${n + i}::${t}[]`);
  if (!lead) return `unnest(${params.join(", ")}) AS u(${USAGE_COLUMNS})`;
  return `unnest($${n - 1}::${lead.type}[], ${params.join(", ")}) AS u(${lead.name}, ${USAGE_COLUMNS})`;
}

/** `rows` as one array per column (USAGE_COLUMNS), for usageUnnest. */
export function usageArrays(rows: UsageRow[]): unknown[][] {
  return [
    rows.map((r) => r.requestId),
    rows.map((r) => r.attempt),
    rows.map((r) => r.accountId),
    rows.map((r) => r.functionName),
    rows.map((r) => r.version),
    rows.map((r) => r.resource),
    rows.map((r) => r.invocationType),
    rows.map((r) => r.outcome),
    rows.map((r) => r.endedAt),
    rows.map((r) => r.memoryMb),
    rows.map((r) => r.durationMs),
    rows.map((r) => r.initMs),
    rows.map((r) => r.billedMs),
    rows.map((r) => r.cold),
  ];
}

/** Per raw row: its request, error, GB-second and cold start counts, as rollups sum them (019's comments). */
export const RAW_MEASURES = `CASE WHEN outcome <> 'platform_error' THEN 1 ELSE 0 END AS requests,
  CASE WHEN outcome <> 'success' THEN 1 ELSE 0 END AS errors, billed_ms,
  (memory_mb::float8 / 1024) * (billed_ms::float8 / 1000) AS gb_seconds, CASE WHEN cold THEN 1 ELSE 0 END AS cold_starts`;

/** The rollup watermark: hours before it are read from usage_hourly, rows from it on raw. */
const WATERMARK = "(SELECT coalesce(rolled_until, '-infinity'::timestamptz) FROM usage_rollup_state WHERE id = 1)";

export async function insertUsage(c: BoundedDb, rows: UsageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await c.query(
    `INSERT INTO invocation_usage (${USAGE_COLUMNS}) SELECT * FROM ${usageUnnest(1)}
     ON CONFLICT (request_id, attempt) DO NOTHING`,
    usageArrays(rows),
  );
}

const UUID_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/\d{1,9}$/;

export function createPgUsageStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): UsageStore {
  const db = boundedDb(pool, statementTimeoutMs);
  const usedSinceWith: UsageStore["usedSinceWith"] = async (since, accountIds, pending) => {
    const none = { used: new Map(), written: new Set<string>() };
    if (accountIds.length === 0) return none;
    // A key whose id is no uuid has no row (nor could it be cast).
    const keys = pending.filter((k) => UUID_KEY.test(k));
    const ids = keys.map((k) => k.slice(0, k.lastIndexOf("/")));
    const attempts = keys.map((k) => Number(k.slice(k.lastIndexOf("/") + 1)));
    const res = await db.query<{ account_id: string | null; requests: string; gb_seconds: number; key: string | null }>(
      `SELECT account_id, sum(requests) AS requests, sum(gb_seconds)::float8 AS gb_seconds, NULL AS key FROM (
         SELECT account_id, requests, gb_seconds FROM usage_hourly
         WHERE hour >= $1 AND hour < ${WATERMARK} AND account_id = ANY($2::text[])
         UNION ALL
         SELECT account_id, requests, gb_seconds FROM (
           SELECT account_id, ${RAW_MEASURES} FROM invocation_usage
           WHERE ended_at >= greatest($1, ${WATERMARK}) AND account_id = ANY($2::text[])
         ) r
       ) x GROUP BY account_id
       UNION ALL
       SELECT NULL, NULL, NULL, u.request_id::text || '/' || u.attempt
       FROM invocation_usage u JOIN unnest($3::uuid[], $4::int[]) AS p(request_id, attempt) USING (request_id, attempt)`,
      [since, accountIds, ids, attempts],
    );
    for (const r of res.rows) {
      if (r.key !== null) none.written.add(r.key);
      else if (r.account_id !== null)
        none.used.set(r.account_id, { requests: Number(r.requests), gbSeconds: r.gb_seconds });
    }
    return none;
  };
  return {
    insert: (rows) => insertUsage(db, rows),
    async report(since, until, accountId) {
      const res = await db.query<{
        account_id: string;
        function_name: string;
        day: Date;
        requests: string;
        errors: string;
        billed_ms: string;
        gb_seconds: number;
        cold_starts: string;
      }>(
        `SELECT account_id, function_name, day, sum(requests) AS requests, sum(errors) AS errors,
           sum(billed_ms) AS billed_ms, sum(gb_seconds)::float8 AS gb_seconds, sum(cold_starts) AS cold_starts
         FROM (
           SELECT account_id, function_name, date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
             requests, errors, billed_ms, gb_seconds, cold_starts
           FROM usage_hourly
           WHERE hour >= $1 AND hour < $2 AND hour < ${WATERMARK} AND ($3::text IS NULL OR account_id = $3)
           UNION ALL
           SELECT account_id, function_name, date_trunc('day', ended_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', ${RAW_MEASURES}
           FROM invocation_usage
           WHERE ended_at >= greatest($1, ${WATERMARK}) AND ended_at < $2 AND ($3::text IS NULL OR account_id = $3)
         ) x GROUP BY account_id, function_name, day ORDER BY account_id, function_name, day`,
        [since, until, accountId ?? null],
      );
      return res.rows.map((r) => ({
        accountId: r.account_id,
        functionName: r.function_name,
        day: r.day,
        requests: Number(r.requests),
        errors: Number(r.errors),
        billedMs: Number(r.billed_ms),
        gbSeconds: r.gb_seconds,
        coldStarts: Number(r.cold_starts),
      }));
    },
    async accountNames(accountIds) {
      const res = await db.query<{ id: string; name: string }>(
        "SELECT id, name FROM accounts WHERE id = ANY($1::text[])",
        [accountIds],
      );
      return new Map(res.rows.map((r) => [r.id, r.name]));
    },
    async usedSince(since, accountIds) {
      return (await usedSinceWith(since, accountIds, [])).used;
    },
    usedSinceWith,
  };
}
