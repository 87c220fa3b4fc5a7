// Async invocations and their outbox: their SQL lives here, an attempt's start and end
// in async-attempts.ts. An event the API accepts is written alone (its accepting
// process queues it); one written inside another change (a schedule's tick, a retry's
// follow-up) gets an outbox row in the same statement, for the relay to queue; every
// later change is a conditional update along the edges of its event (async-edges.ts),
// so a stale attempt changes nothing. Every statement is bounded: batched callers wait
// behind the statement in flight, and one stuck on a connection that stopped answering
// would hold them all for ever.
import { randomUUID } from "node:crypto";
import { asyncQueue } from "@stratus/shared";
import type { Pool } from "pg";
import { attemptsStatement, COLUMNS, type EndFields, type FinishItem, type StartItem } from "./async-attempts.js";
import {
  EXPIRE_LEASE_EDGES,
  LEASED_STATUSES,
  moves,
  REDRIVE_EDGES,
  REQUEUE_EDGES,
  WAITING_STATUSES,
} from "./async-edges.js";
import { type AsyncStatus, type FinishEvent, INITIAL } from "./async-state.js";
import { claimInOrder, createBatcher, splitOnFailure } from "./batcher.js";
import { type BoundedDb, boundedDb, isDataError } from "./pg-helpers.js";
import { insertPublishRequests, type PublishRequest } from "./sns-publish-requests.js";
import { type DeadLetter, insertByName, type QueueLetter } from "./sqs-messages.js";

export interface AsyncInvocation {
  id: string;
  accountId: string;
  functionName: string;
  qualifier?: string;
  payload: Buffer;
  status: AsyncStatus;
  /**
   * Attempts spent against maxAttempts, the running one included: a throttle or a
   * platform error gives its attempt back; one lost with its worker counts.
   */
  attempt: number;
  /**
   * Attempts that reached an invoker node, so may have run the function (Lambda's
   * approximateInvokeCount), the running one included: one that reached a node counts
   * whatever came back; one lost with its worker counts too (whether it got there is
   * unknown).
   */
  invokeCount: number;
  /**
   * Attempts given back (a throttle, a platform error, no call made), the running one
   * not included: the exponent of the next give-back's backoff, since `attempt` does
   * not grow with them.
   */
  givenBack: number;
  maxAttempts: number;
  maxEventAgeSeconds: number;
  onSuccess?: string;
  onFailure?: string;
  /** Where its final failure is also written as an SQS message (a rule's or schedule's DeadLetterConfig). */
  deadLetter?: DeadLetter;
  acceptedAt: Date;
  /** The trace it was accepted in (X-Amzn-Trace-Id form); none for a schedule's or a rule's tick. */
  traceHeader?: string;
  /** Something in Stratus waits for its final outcome (a workflow's task): the finished hooks are told of it. */
  awaited?: boolean;
  executedVersion?: string;
  error?: unknown;
}

export type NewAsyncInvocation = Omit<
  AsyncInvocation,
  "status" | "attempt" | "invokeCount" | "givenBack" | "acceptedAt" | "executedVersion" | "error"
>;

/** An invocation that is to be (re-)enqueued, and the queue job id it is recorded with. */
export interface QueuedJob {
  invocationId: string;
  jobId: string;
}

/** How long one statement may take unless the store is told otherwise (a job's step: see job-deadline.ts). */
const ASYNC_STATEMENT_TIMEOUT_MS = 60_000;

/**
 * How long an attempt's end waits for others to share its statement and commit. Ends
 * are off the enqueue path, so the wait delays no start; in an async burst (2026-12-05,
 * 4,000 events, 16 workers) it saved about 450 of the ends' ~2,200 commits. Starts do
 * not wait (the enqueue-to-start latency would carry it), and one arriving cuts the
 * wait short.
 */
const FINISH_LINGER_MS = 3;

/** An invocation the reconciler may have to enqueue again; `jobId` is its recorded job (null: none). */
export interface StuckInvocation {
  id: string;
  status: AsyncStatus;
  attempt: number;
  jobId: string | null;
}

/**
 * Every open invocation records the queue job that is to run it next (`jobId`):
 * accepting records the relay's job (the invocation id), a retry or a re-enqueue
 * records its new job in the same conditional update that moves the invocation, and a
 * re-drive records a fresh one (the first job id may still be held by a finished job).
 */
export interface AsyncStore {
  /**
   * Commits the invocation, without an outbox row: the caller queues the returned job
   * itself, and gives it to the relay (leaveToRelay) if it cannot. Should the caller die
   * first, the reconciler finds the event once it is overdue.
   */
  accept(inv: NewAsyncInvocation): Promise<QueuedJob>;
  /** Outbox rows for accepted events their accepting process could not queue, due at once. */
  leaveToRelay(invocationIds: string[]): Promise<void>;
  /** Due outbox rows, locked until `handle` returns; they are deleted if it succeeds. */
  drainOutbox(limit: number, handle: (jobs: QueuedJob[]) => Promise<void>): Promise<number>;
  /**
   * Starts an attempt (start) for `jobId`, only if that is the job the invocation
   * records (a stale job, say a first job sent again after its retry was scheduled,
   * starts nothing); undefined when not startable. With `takeover` (the queue re-runs
   * the job after a stall), also takes over (take_over) a running attempt recorded
   * under it: its worker lost the job, so the attempt it ran becomes stale.
   */
  start(id: string, jobId: string, leaseSeconds: number, takeover?: boolean): Promise<AsyncInvocation | undefined>;
  /** Moves a running attempt on by `event`; false when the attempt is stale. Starting took an attempt and an invoke; `fields` may give them back. */
  finish(id: string, attempt: number, event: FinishEvent, fields: FinishFields): Promise<boolean>;
  get(accountId: string, id: string): Promise<AsyncInvocation | undefined>;
  list(
    accountId: string,
    functionName: string,
    status: AsyncStatus | undefined,
    limit: number,
  ): Promise<AsyncInvocation[]>;
  /**
   * Puts a dead-lettered or expired invocation back in the queue with a fresh retry budget. Its
   * invoke count goes on, so each re-driven run is metered as a run of its own.
   */
  redrive(accountId: string, id: string): Promise<boolean>;
  /** Open invocations untouched (or overdue) for `staleSeconds`, and running ones past their lease. */
  stuck(staleSeconds: number, limit: number): Promise<StuckInvocation[]>;
  /** A running attempt whose lease ran out is moved on by expire_lease (the attempt counts), to run as `jobId`. */
  expireLease(id: string, attempt: number, jobId: string): Promise<boolean>;
  /** Records `jobId` for an open invocation whose job is still `fromJobId`; false if anything moved. */
  requeue(id: string, fromJobId: string | null, jobId: string): Promise<boolean>;
}

/** An end's fields (async-attempts.ts EndFields), and what is committed beside its move. */
export interface FinishFields extends EndFields {
  /** Accepted in the same transaction, only if the move happens (a destination delivery). */
  followUp?: NewAsyncInvocation;
  /** SQS messages written in the same transaction, only if the move happens (dead letters, SQS destinations). */
  letters?: QueueLetter[];
  /** Messages to SNS topics written in the same transaction, only if the move happens (SNS destinations, dead letters). */
  publishes?: PublishRequest[];
}

interface Row {
  id: string;
  account_id: string;
  function_name: string;
  qualifier: string | null;
  payload: Buffer;
  status: AsyncStatus;
  attempt: number;
  invoke_count: number;
  given_back: number;
  max_attempts: number;
  max_event_age_seconds: number;
  on_success: string | null;
  on_failure: string | null;
  dead_letter: DeadLetter | null;
  accepted_at: Date;
  trace_header: string | null;
  awaited: boolean;
  executed_version: string | null;
  error: unknown;
}

function toInvocation(r: Row): AsyncInvocation {
  return {
    id: r.id,
    accountId: r.account_id,
    functionName: r.function_name,
    ...(r.qualifier !== null ? { qualifier: r.qualifier } : {}),
    payload: r.payload,
    status: r.status,
    attempt: r.attempt,
    invokeCount: r.invoke_count,
    givenBack: r.given_back,
    maxAttempts: r.max_attempts,
    maxEventAgeSeconds: r.max_event_age_seconds,
    ...(r.on_success !== null ? { onSuccess: r.on_success } : {}),
    ...(r.on_failure !== null ? { onFailure: r.on_failure } : {}),
    ...(r.dead_letter !== null ? { deadLetter: r.dead_letter } : {}),
    acceptedAt: r.accepted_at,
    ...(r.trace_header !== null ? { traceHeader: r.trace_header } : {}),
    ...(r.awaited ? { awaited: true } : {}),
    ...(r.executed_version !== null ? { executedVersion: r.executed_version } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
  };
}

/**
 * Inserts invocations, with their outbox rows (due at once) in the same statement when
 * `outbox`; the jobs of those inserted (`skipExisting`: ids written before are not).
 */
async function insertAccepted(
  c: BoundedDb,
  invs: NewAsyncInvocation[],
  opts: { outbox: boolean; skipExisting?: boolean },
): Promise<QueuedJob[]> {
  const jobIds = invs.map((i) => asyncQueue.jobId(i.id));
  const res = await c.query<{ id: string }>(
    `WITH inv AS (
       INSERT INTO async_invocations (id, account_id, function_name, qualifier, payload, status, max_attempts,
         max_event_age_seconds, on_success, on_failure, job_id, trace_header, dead_letter, awaited)
       SELECT id, account_id, function_name, qualifier, payload, $11::text, max_attempts, max_event_age_seconds,
         on_success, on_failure, job_id, trace_header, dead_letter, awaited
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::int[], $7::int[], $8::text[],
         $9::text[], $10::text[], $12::text[], $13::jsonb[], $14::bool[]) AS t(id, account_id, function_name, qualifier,
         payload, max_attempts, max_event_age_seconds, on_success, on_failure, job_id, trace_header, dead_letter, awaited)
       ${opts.skipExisting ? "ON CONFLICT (id) DO NOTHING" : ""}
       RETURNING id)
     ${opts.outbox ? "INSERT INTO async_outbox (invocation_id) SELECT id FROM inv RETURNING invocation_id AS id" : "SELECT id FROM inv"}`,
    [
      invs.map((i) => i.id),
      invs.map((i) => i.accountId),
      invs.map((i) => i.functionName),
      invs.map((i) => i.qualifier ?? null),
      invs.map((i) => i.payload),
      invs.map((i) => i.maxAttempts),
      invs.map((i) => i.maxEventAgeSeconds),
      invs.map((i) => i.onSuccess ?? null),
      invs.map((i) => i.onFailure ?? null),
      jobIds,
      INITIAL,
      invs.map((i) => i.traceHeader ?? null),
      invs.map((i) => (i.deadLetter ? JSON.stringify(i.deadLetter) : null)),
      invs.map((i) => i.awaited === true),
    ],
  );
  const written = new Set(res.rows.map((r) => r.id));
  return invs.flatMap((inv, i) => (written.has(inv.id) ? [{ invocationId: inv.id, jobId: jobIds[i] as string }] : []));
}

/**
 * Writes invocations whose ids are derived from what they are (a schedule's tick)
 * within the caller's transaction, skipping those written before; their outbox rows
 * are due to the relay at once. Returns how many were new.
 */
export async function acceptInTransaction(c: BoundedDb, invs: NewAsyncInvocation[]): Promise<number> {
  return (await insertAccepted(c, invs, { outbox: true, skipExisting: true })).length;
}

/** A start or an end of an attempt, for the batch they share. */
type AttemptWrite = { start: StartItem } | { finish: FinishItem };

/**
 * Runs starts and ends in one statement (async-attempts.ts); answers each in order:
 * the invocation started (undefined if not startable), whether the attempt moved on.
 * A start of an invocation whose end is in the same batch runs after it, alone.
 */
async function writeAttempts(c: BoundedDb, writes: AttemptWrite[]): Promise<(AsyncInvocation | undefined | boolean)[]> {
  const finishes = writes.flatMap((w) => ("finish" in w ? [w.finish] : []));
  const ending = new Set(finishes.map((f) => f.id));
  const starts = writes.flatMap((w) => ("start" in w ? [w.start] : []));
  // Both kinds of answer in one map, keyed by kind and id (an id may have a start and an end).
  const key = (w: AttemptWrite) => ("start" in w ? `start ${w.start.id}` : `end ${w.finish.id}`);
  const answers = new Map<string, AsyncInvocation | true>();
  const run = async (s: StartItem[], f: FinishItem[]) => {
    if (s.length === 0 && f.length === 0) return;
    const { name, text, values } = attemptsStatement(s, f);
    const res = await c.query<Row & { started: boolean }>(text, values, name);
    for (const r of res.rows) {
      if (r.started) answers.set(`start ${r.id}`, toInvocation(r));
      else answers.set(`end ${r.id}`, true);
    }
  };
  await run(
    starts.filter((s) => !ending.has(s.id)),
    finishes,
  );
  await run(
    starts.filter((s) => ending.has(s.id)),
    [],
  );
  // The first caller of an id gets its row (a duplicate in one batch gets nothing).
  const hits = claimInOrder(writes.map(key), answers);
  return writes.map((w, i) => ("start" in w ? (hits[i] as AsyncInvocation | undefined) : hits[i] === true));
}

/** Moves running attempts on (with their usage rows), in `c`'s transaction; true where it moved. */
async function finishRows(c: BoundedDb, items: FinishItem[]): Promise<boolean[]> {
  return (await writeAttempts(
    c,
    items.map((finish) => ({ finish })),
  )) as boolean[];
}

/** `statementTimeoutMs`: how long one statement may take (default 60 s). */
export function createPgAsyncStore(pool: Pool, statementTimeoutMs = ASYNC_STATEMENT_TIMEOUT_MS): AsyncStore {
  const db = boundedDb(pool, statementTimeoutMs);
  const transaction = db.transaction;
  // Accepts, and starts and plain finishes, are batched: concurrent callers share one
  // statement and one commit. A failed batch of accepts is retried one by one, so
  // one bad row cannot refuse its neighbours (and a neighbour committed alone is
  // answered as accepted).
  const accept = createBatcher(
    splitOnFailure((invs: NewAsyncInvocation[]) => insertAccepted(db, invs, { outbox: false })),
    64,
  );
  // An attempt's starts and ends share one batch, one statement and one commit. A
  // batch that Postgres refused for its data is retried one write at a time: one row
  // it cannot take must not fail its neighbours (each would be given up and run
  // again). Other failures (a timeout, a lost connection) fail them all. A batch led by
  // an end waits FINISH_LINGER_MS for company before it goes, unless a start arrives:
  // ends are off the enqueue path, starts are on it.
  const attempts = createBatcher(
    splitOnFailure((writes: AttemptWrite[]) => writeAttempts(db, writes), isDataError),
    256,
    FINISH_LINGER_MS,
    (w) => "start" in w,
  );
  return {
    accept: (inv) => accept(inv),
    async leaveToRelay(invocationIds) {
      await db.query("INSERT INTO async_outbox (invocation_id) SELECT unnest($1::uuid[])", [invocationIds]);
    },
    drainOutbox(limit, handle) {
      return transaction(async (c) => {
        const rows = await c.query<{ id: string; invocation_id: string; job_id: string | null }>(
          `SELECT o.id, o.invocation_id, i.job_id FROM async_outbox o
             LEFT JOIN async_invocations i ON i.id = o.invocation_id
           WHERE o.relay_after <= now()
           ORDER BY o.id LIMIT $1 FOR UPDATE OF o SKIP LOCKED`,
          [limit],
        );
        if (rows.rows.length === 0) return 0;
        await handle(
          rows.rows.map((r) => ({
            invocationId: r.invocation_id,
            jobId: r.job_id ?? asyncQueue.jobId(r.invocation_id),
          })),
        );
        await c.query("DELETE FROM async_outbox WHERE id = ANY($1::bigint[])", [rows.rows.map((r) => r.id)]);
        return rows.rows.length;
      });
    },
    start: async (id, jobId, leaseSeconds, takeover = false) =>
      (await attempts({ start: { id, jobId, leaseSeconds, takeover } })) as AsyncInvocation | undefined,
    async finish(id, attempt, event, fields) {
      const { followUp, letters = [], publishes = [] } = fields;
      if (!followUp && letters.length === 0 && publishes.length === 0)
        return (await attempts({ finish: { id, attempt, event, fields } })) as boolean;
      // The follow-up, the letters and the publishes are committed with the move, or not at all.
      return transaction(async (c) => {
        const [moved] = await finishRows(c, [{ id, attempt, event, fields }]);
        if (!moved) return false;
        if (followUp) await insertAccepted(c, [followUp], { outbox: true });
        for (const l of letters) await insertByName(c, l.accountId, l.queueName, { ...l, senderId: l.accountId });
        await insertPublishRequests(c, publishes);
        return true;
      });
    },
    async get(accountId, id) {
      if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
      const res = await db.query<Row>(`SELECT ${COLUMNS} FROM async_invocations WHERE id = $1 AND account_id = $2`, [
        id,
        accountId,
      ]);
      return res.rows[0] && toInvocation(res.rows[0]);
    },
    async list(accountId, functionName, status, limit) {
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM async_invocations WHERE account_id = $1 AND function_name = $2
           AND ($3::text IS NULL OR status = $3) ORDER BY accepted_at DESC LIMIT $4`,
        [accountId, functionName, status ?? null, limit],
      );
      return res.rows.map(toInvocation);
    },
    redrive(accountId, id) {
      return transaction(async (c) => {
        const res = await c.query(
          `UPDATE async_invocations a SET status = m.to_status, attempt = 0, given_back = 0, accepted_at = now(),
             updated_at = now(), error = NULL, job_id = $3
           FROM ${moves(4)}
           WHERE a.id = $1 AND a.account_id = $2 AND a.status = m.from_status`,
          [id, accountId, asyncQueue.jobId(id, `d${randomUUID().slice(0, 8)}`), ...REDRIVE_EDGES],
        );
        if (res.rowCount !== 1) return false;
        await c.query("INSERT INTO async_outbox (invocation_id) VALUES ($1)", [id]);
        return true;
      });
    },
    async stuck(staleSeconds, limit) {
      const res = await db.query<{ id: string; status: AsyncStatus; attempt: number; job_id: string | null }>(
        `SELECT id, status, attempt, job_id FROM async_invocations
         WHERE (status = ANY($3::text[])
                AND coalesce(next_attempt_at, updated_at) < now() - make_interval(secs => $1)
                AND NOT EXISTS (SELECT 1 FROM async_outbox o WHERE o.invocation_id = async_invocations.id))
            OR (status = ANY($4::text[]) AND lease_until < now())
         ORDER BY updated_at LIMIT $2`,
        [staleSeconds, limit, WAITING_STATUSES, LEASED_STATUSES],
      );
      return res.rows.map((r) => ({ id: r.id, status: r.status, attempt: r.attempt, jobId: r.job_id }));
    },
    async expireLease(id, attempt, jobId) {
      const res = await db.query(
        `UPDATE async_invocations a SET status = m.to_status, updated_at = now(), lease_until = NULL, job_id = $3
         FROM ${moves(4)}
         WHERE a.id = $1 AND a.attempt = $2 AND a.status = m.from_status AND a.lease_until < now()`,
        [id, attempt, jobId, ...EXPIRE_LEASE_EDGES],
      );
      return res.rowCount === 1;
    },
    async requeue(id, fromJobId, jobId) {
      const res = await db.query(
        `UPDATE async_invocations a SET status = m.to_status, job_id = $3, updated_at = now(), next_attempt_at = NULL
         FROM ${moves(4)}
         WHERE a.id = $1 AND a.job_id IS NOT DISTINCT FROM $2 AND a.status = m.from_status`,
        [id, fromJobId, jobId, ...REQUEUE_EDGES],
      );
      return res.rowCount === 1;
    },
  };
}
