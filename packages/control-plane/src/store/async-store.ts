// Async invocations and their outbox. The only place their SQL lives. Accepting
// writes the invocation and its outbox row in one transaction; every later change
// is a conditional update from the states async-state.ts allows, so a stale attempt
// changes nothing.
import { randomUUID } from "node:crypto";
import { asyncQueue } from "@stratus/shared";
import type { Pool, PoolClient } from "pg";
import { type AsyncStatus, sourcesOf } from "../async/async-state.js";
import { inTransaction } from "./pg-helpers.js";

export interface AsyncInvocation {
  id: string;
  accountId: string;
  functionName: string;
  qualifier?: string;
  payload: Buffer;
  status: AsyncStatus;
  attempt: number;
  maxAttempts: number;
  maxEventAgeSeconds: number;
  onSuccess?: string;
  onFailure?: string;
  acceptedAt: Date;
  executedVersion?: string;
  error?: unknown;
}

export type NewAsyncInvocation = Omit<
  AsyncInvocation,
  "status" | "attempt" | "acceptedAt" | "executedVersion" | "error"
>;

/** An invocation that is to be (re-)enqueued, and the queue job id it is recorded with. */
export interface QueuedJob {
  invocationId: string;
  jobId: string;
}

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
  accept(inv: NewAsyncInvocation): Promise<void>;
  /** Outbox rows, locked until `handle` returns; they are deleted if it succeeds. */
  drainOutbox(limit: number, handle: (jobs: QueuedJob[]) => Promise<void>): Promise<number>;
  /** Starts an attempt (accepted|retrying → running); undefined when not startable. */
  start(id: string, leaseSeconds: number): Promise<AsyncInvocation | undefined>;
  /** Moves a running attempt on; false when the attempt is stale. */
  finish(
    id: string,
    attempt: number,
    to: AsyncStatus,
    fields: {
      executedVersion?: string;
      error?: unknown;
      refundAttempt?: boolean;
      retryAfterMs?: number;
      /** The job that runs the next attempt (with `retrying`). */
      jobId?: string;
      /** Accepted in the same transaction, only if the move happens (a destination delivery). */
      followUp?: NewAsyncInvocation;
    },
  ): Promise<boolean>;
  get(accountId: string, id: string): Promise<AsyncInvocation | undefined>;
  list(
    accountId: string,
    functionName: string,
    status: AsyncStatus | undefined,
    limit: number,
  ): Promise<AsyncInvocation[]>;
  /** Puts a dead-lettered or expired invocation back in the queue, as new. */
  redrive(accountId: string, id: string): Promise<boolean>;
  /** Open invocations untouched (or overdue) for `staleSeconds`, and running ones past their lease. */
  stuck(staleSeconds: number, limit: number): Promise<StuckInvocation[]>;
  /** A running attempt whose lease ran out goes back to retrying (the attempt counts), to run as `jobId`. */
  expireLease(id: string, attempt: number, jobId: string): Promise<boolean>;
  /** Records `jobId` for an open invocation whose job is still `fromJobId`; false if anything moved. */
  requeue(id: string, fromJobId: string | null, jobId: string): Promise<boolean>;
}

interface Row {
  id: string;
  account_id: string;
  function_name: string;
  qualifier: string | null;
  payload: Buffer;
  status: AsyncStatus;
  attempt: number;
  max_attempts: number;
  max_event_age_seconds: number;
  on_success: string | null;
  on_failure: string | null;
  accepted_at: Date;
  executed_version: string | null;
  error: unknown;
}

const COLUMNS = `id, account_id, function_name, qualifier, payload, status, attempt, max_attempts,
  max_event_age_seconds, on_success, on_failure, accepted_at, executed_version, error`;

function toInvocation(r: Row): AsyncInvocation {
  return {
    id: r.id,
    accountId: r.account_id,
    functionName: r.function_name,
    ...(r.qualifier !== null ? { qualifier: r.qualifier } : {}),
    payload: r.payload,
    status: r.status,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    maxEventAgeSeconds: r.max_event_age_seconds,
    ...(r.on_success !== null ? { onSuccess: r.on_success } : {}),
    ...(r.on_failure !== null ? { onFailure: r.on_failure } : {}),
    acceptedAt: r.accepted_at,
    ...(r.executed_version !== null ? { executedVersion: r.executed_version } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
  };
}

async function insertAccepted(c: PoolClient, inv: NewAsyncInvocation): Promise<void> {
  await c.query(
    `INSERT INTO async_invocations (id, account_id, function_name, qualifier, payload, status, max_attempts,
       max_event_age_seconds, on_success, on_failure, job_id)
     VALUES ($1, $2, $3, $4, $5, 'accepted', $6, $7, $8, $9, $10)`,
    [
      inv.id,
      inv.accountId,
      inv.functionName,
      inv.qualifier ?? null,
      inv.payload,
      inv.maxAttempts,
      inv.maxEventAgeSeconds,
      inv.onSuccess ?? null,
      inv.onFailure ?? null,
      asyncQueue.jobId(inv.id),
    ],
  );
  await c.query("INSERT INTO async_outbox (invocation_id) VALUES ($1)", [inv.id]);
}

export function createPgAsyncStore(pool: Pool): AsyncStore {
  return {
    accept(inv) {
      return inTransaction(pool, (c) => insertAccepted(c, inv));
    },
    drainOutbox(limit, handle) {
      return inTransaction(pool, async (c) => {
        const rows = await c.query<{ id: string; invocation_id: string; job_id: string | null }>(
          `SELECT o.id, o.invocation_id, i.job_id FROM async_outbox o
             LEFT JOIN async_invocations i ON i.id = o.invocation_id
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
    async start(id, leaseSeconds) {
      const res = await pool.query<Row>(
        `UPDATE async_invocations SET status = 'running', attempt = attempt + 1, updated_at = now(),
           lease_until = now() + make_interval(secs => $2)
         WHERE id = $1 AND status = ANY($3::text[]) RETURNING ${COLUMNS}`,
        [id, leaseSeconds, sourcesOf("running")],
      );
      return res.rows[0] && toInvocation(res.rows[0]);
    },
    finish(id, attempt, to, fields) {
      return inTransaction(pool, async (c) => {
        const res = await c.query(
          `UPDATE async_invocations SET status = $3, updated_at = now(), lease_until = NULL,
             executed_version = coalesce($4, executed_version), error = coalesce($5::jsonb, error),
             attempt = attempt - CASE WHEN $6 THEN 1 ELSE 0 END,
             next_attempt_at = CASE WHEN $7::float8 IS NULL THEN NULL
                                    ELSE now() + make_interval(secs => $7::float8 / 1000) END,
             job_id = coalesce($8, job_id)
           WHERE id = $1 AND attempt = $2 AND status = 'running'`,
          [
            id,
            attempt,
            to,
            fields.executedVersion ?? null,
            fields.error === undefined ? null : JSON.stringify(fields.error),
            fields.refundAttempt ?? false,
            fields.retryAfterMs ?? null,
            fields.jobId ?? null,
          ],
        );
        if (res.rowCount !== 1) return false;
        if (fields.followUp) await insertAccepted(c, fields.followUp);
        return true;
      });
    },
    async get(accountId, id) {
      if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
      const res = await pool.query<Row>(`SELECT ${COLUMNS} FROM async_invocations WHERE id = $1 AND account_id = $2`, [
        id,
        accountId,
      ]);
      return res.rows[0] && toInvocation(res.rows[0]);
    },
    async list(accountId, functionName, status, limit) {
      const res = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM async_invocations WHERE account_id = $1 AND function_name = $2
           AND ($3::text IS NULL OR status = $3) ORDER BY accepted_at DESC LIMIT $4`,
        [accountId, functionName, status ?? null, limit],
      );
      return res.rows.map(toInvocation);
    },
    redrive(accountId, id) {
      return inTransaction(pool, async (c) => {
        const res = await c.query(
          `UPDATE async_invocations SET status = 'accepted', attempt = 0, accepted_at = now(), updated_at = now(),
             error = NULL, job_id = $4 WHERE id = $1 AND account_id = $2 AND status = ANY($3::text[])`,
          [id, accountId, sourcesOf("accepted"), asyncQueue.jobId(id, `d${randomUUID().slice(0, 8)}`)],
        );
        if (res.rowCount !== 1) return false;
        await c.query("INSERT INTO async_outbox (invocation_id) VALUES ($1)", [id]);
        return true;
      });
    },
    async stuck(staleSeconds, limit) {
      const res = await pool.query<{ id: string; status: AsyncStatus; attempt: number; job_id: string | null }>(
        `SELECT id, status, attempt, job_id FROM async_invocations
         WHERE (status IN ('accepted', 'retrying')
                AND coalesce(next_attempt_at, updated_at) < now() - make_interval(secs => $1)
                AND NOT EXISTS (SELECT 1 FROM async_outbox o WHERE o.invocation_id = async_invocations.id))
            OR (status = 'running' AND lease_until < now())
         ORDER BY updated_at LIMIT $2`,
        [staleSeconds, limit],
      );
      return res.rows.map((r) => ({ id: r.id, status: r.status, attempt: r.attempt, jobId: r.job_id }));
    },
    async expireLease(id, attempt, jobId) {
      const res = await pool.query(
        `UPDATE async_invocations SET status = 'retrying', updated_at = now(), lease_until = NULL, job_id = $3
         WHERE id = $1 AND attempt = $2 AND status = 'running' AND lease_until < now()`,
        [id, attempt, jobId],
      );
      return res.rowCount === 1;
    },
    async requeue(id, fromJobId, jobId) {
      const res = await pool.query(
        `UPDATE async_invocations SET job_id = $3, updated_at = now(), next_attempt_at = NULL
         WHERE id = $1 AND job_id IS NOT DISTINCT FROM $2 AND status IN ('accepted', 'retrying')`,
        [id, fromJobId, jobId],
      );
      return res.rowCount === 1;
    },
  };
}
