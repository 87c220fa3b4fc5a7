// The statements of an attempt's start and end (async-store.ts runs them). Starts and
// ends waiting at the same moment go out as one statement and one commit, prepared by
// name so that Postgres parses its text once per connection: a statement's fixed costs
// (the round trip, parsing, planning, the commit), not its rows, were most of an async
// event's database time. Parameters are numbered from where each part begins, so the
// parts compose.
import { FINISH, START } from "./async-edges.js";
import type { FinishEvent } from "./async-state.js";
import { jsonbText } from "./pg-helpers.js";
import { USAGE_COLUMNS, type UsageRow, usageArrays, usageUnnest } from "./usage-store.js";

export const COLUMNS = `id, account_id, function_name, qualifier, payload, status, attempt, invoke_count, given_back,
  max_attempts, max_event_age_seconds, on_success, on_failure, accepted_at, executed_version, error, trace_header,
  dead_letter, awaited`;

export interface StartItem {
  id: string;
  jobId: string;
  leaseSeconds: number;
  takeover: boolean;
}

/** What an attempt's end writes on its invocation's row, and its usage row. */
export interface EndFields {
  executedVersion?: string;
  error?: unknown;
  /** The attempt spent none of the event's attempts (retry-policy.ts attemptRefunds). */
  refundAttempt?: boolean;
  /** The attempt never reached a node, so does not count as an invoke. */
  refundInvoke?: boolean;
  retryAfterMs?: number;
  /** The job that runs the next attempt (with `retry`). */
  jobId?: string;
  /** The attempt's usage row (invocation_usage), written by the same statement, only if the move happens. */
  usage?: UsageRow;
}

export interface FinishItem {
  id: string;
  attempt: number;
  event: FinishEvent;
  fields: EndFields;
}

/**
 * Starts attempts, each only from the job the invocation records; returns COLUMNS of
 * those it started. The status test is tied to each item's takeover flag on purpose:
 * a test on the row alone (an OR of statuses) let Postgres read every open invocation
 * through the open index and join them to the batch, so each start read the whole
 * backlog (2026-12-06: 4,000 queued events, ~170 buffers and 4 ms a start). Tied to
 * the item, the rows are found by id.
 */
function startUpdate(n: number): string {
  const p = (i: number) => `$${n + i}`;
  return `UPDATE async_invocations a SET status = ${p(4)}, attempt = a.attempt + 1,
    invoke_count = a.invoke_count + 1, updated_at = now(),
    first_started_at = coalesce(a.first_started_at, now()), lease_until = now() + make_interval(secs => v.lease)
  FROM unnest(${p(0)}::uuid[], ${p(1)}::float8[], ${p(2)}::bool[], ${p(5)}::text[]) AS v(id, lease, takeover, job_id)
  WHERE a.id = v.id AND a.job_id = v.job_id
    AND a.status = ANY(CASE WHEN v.takeover THEN ${p(3)}::text[] || ${p(6)}::text ELSE ${p(3)}::text[] END)
  RETURNING ${COLUMNS.replace(/(\w+)/g, "a.$1")}`;
}

function startParams(items: StartItem[]): unknown[] {
  return [
    items.map((i) => i.id),
    items.map((i) => i.leaseSeconds),
    items.map((i) => i.takeover),
    START.from,
    START.to,
    items.map((i) => i.jobId),
    START.takeOverFrom,
  ];
}

/** How many parameters the finish part takes. */
const FINISH_PARAMS = 11 + USAGE_COLUMNS.split(",").length;

/**
 * Moves running attempts on, conditionally on each attempt number (CTE `moved`, the
 * ids that moved), and inserts the usage rows of those that moved (CTE `metered`).
 */
function finishCtes(n: number): string {
  const p = (i: number) => `$${n + i}`;
  return `moved AS (UPDATE async_invocations a SET status = v.to_status, updated_at = now(), lease_until = NULL,
       executed_version = coalesce(v.executed_version, a.executed_version), error = coalesce(v.error, a.error),
       attempt = a.attempt - CASE WHEN v.refund THEN 1 ELSE 0 END,
       given_back = a.given_back + CASE WHEN v.refund THEN 1 ELSE 0 END,
       invoke_count = a.invoke_count - CASE WHEN v.refund_invoke THEN 1 ELSE 0 END,
       next_attempt_at = CASE WHEN v.retry_after_ms IS NULL THEN NULL
                              ELSE now() + make_interval(secs => v.retry_after_ms / 1000) END,
       job_id = coalesce(v.job_id, a.job_id)
     FROM unnest(${p(0)}::uuid[], ${p(1)}::int[], ${p(2)}::text[], ${p(9)}::text[], ${p(3)}::text[], ${p(4)}::jsonb[],
       ${p(5)}::bool[], ${p(6)}::float8[], ${p(7)}::text[], ${p(8)}::bool[])
       AS v(id, attempt, from_status, to_status, executed_version, error, refund, retry_after_ms, job_id, refund_invoke)
     WHERE a.id = v.id AND a.attempt = v.attempt AND a.status = v.from_status RETURNING a.id, v.attempt AS from_attempt),
   metered AS (INSERT INTO invocation_usage (${USAGE_COLUMNS})
     SELECT ${USAGE_COLUMNS} FROM ${usageUnnest(n + 11, { name: "finish_attempt", type: "int" })}
     JOIN moved m ON m.id = u.request_id AND m.from_attempt = u.finish_attempt
     ON CONFLICT (request_id, attempt) DO NOTHING)`;
}

function finishParams(items: FinishItem[]): unknown[] {
  const metered = items.filter((i) => i.fields.usage);
  return [
    items.map((i) => i.id),
    items.map((i) => i.attempt),
    items.map((i) => FINISH[i.event].from),
    items.map((i) => i.fields.executedVersion ?? null),
    items.map((i) => (i.fields.error === undefined ? null : jsonbText(i.fields.error))),
    items.map((i) => i.fields.refundAttempt ?? false),
    items.map((i) => i.fields.retryAfterMs ?? null),
    items.map((i) => i.fields.jobId ?? null),
    items.map((i) => i.fields.refundInvoke ?? false),
    items.map((i) => FINISH[i.event].to),
    metered.map((i) => i.attempt),
    ...usageArrays(metered.map((i) => i.fields.usage as UsageRow)),
  ];
}

/** The nulls that pad an end's row (its id) to a start's (COLUMNS) in one result. */
const PAD = COLUMNS.split(",")
  .slice(1)
  .map(() => "NULL")
  .join(", ");

/**
 * One statement for `starts` and `finishes` (either may be empty, not both): its rows
 * are the invocations started (`started` true, COLUMNS) and the ids of the attempts
 * that moved on (`started` false). A start and an end of the same invocation must not
 * share it: Postgres would apply only one of the two. Each of its three forms has a
 * name to be prepared under (its text is parsed once per connection; see the pool's
 * plan_cache_mode in control-plane.ts).
 */
export function attemptsStatement(
  starts: StartItem[],
  finishes: FinishItem[],
): { name: string; text: string; values: unknown[] } {
  if (finishes.length === 0) {
    return {
      name: "async_starts",
      text: `WITH began AS (${startUpdate(1)}) SELECT true AS started, * FROM began`,
      values: startParams(starts),
    };
  }
  const ends = finishCtes(1);
  if (starts.length === 0) {
    return {
      name: "async_ends",
      text: `WITH ${ends} SELECT false AS started, id FROM moved`,
      values: finishParams(finishes),
    };
  }
  return {
    name: "async_starts_ends",
    text: `WITH ${ends}, began AS (${startUpdate(FINISH_PARAMS + 1)})
      SELECT true AS started, * FROM began UNION ALL SELECT false, id, ${PAD} FROM moved`,
    values: [...finishParams(finishes), ...startParams(starts)],
  };
}
