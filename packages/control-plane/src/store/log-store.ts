// Stored invocation logs. The only place their SQL lives.
import type { InvocationLogRecord } from "@stratus/shared";
import type { Pool } from "pg";
import { type BoundedDb, boundedDb, pgText, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export interface StoredLog extends InvocationLogRecord {}

export interface LogStore {
  /**
   * Stores records, one per attempt: a record is known by its request id and start
   * time, and one already stored (a resend) is kept as it was. `alongside` is given
   * the records stored now (not those of a resend) in the same transaction, so what
   * it writes of them is written once, or not at all.
   */
  insert(
    records: InvocationLogRecord[],
    alongside?: (fresh: InvocationLogRecord[], tx: BoundedDb) => Promise<void>,
  ): Promise<void>;
  /** The logs of every attempt run under `requestId` (an async invocation retries under one id), newest first. */
  byRequestId(accountId: string, requestId: string, limit: number): Promise<StoredLog[]>;
  /** Newest first. */
  byFunction(accountId: string, functionName: string, limit: number): Promise<StoredLog[]>;
}

interface Row {
  request_id: string;
  account_id: string;
  function_name: string;
  version: string;
  started_at: Date;
  duration_ms: number;
  outcome: string;
  log: string;
}

const COLUMNS = "request_id, account_id, function_name, version, started_at, duration_ms, outcome, log";

const toLog = (r: Row): StoredLog => ({
  requestId: r.request_id,
  accountId: r.account_id,
  functionName: r.function_name,
  version: r.version,
  startedAt: r.started_at.toISOString(),
  durationMs: r.duration_ms,
  outcome: r.outcome,
  text: r.log,
});

/** `statementTimeoutMs`: how long one statement may take (see pg-helpers.ts). */
export function createPgLogStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): LogStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    async insert(records, alongside) {
      if (records.length === 0) return;
      await db.transaction(async (tx) => {
        const res = await tx.query<{ request_id: string; started_at: Date }>(
          `INSERT INTO invocation_logs (${COLUMNS})
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::float8[], $7::text[], $8::text[])
         ON CONFLICT (request_id, started_at) DO NOTHING
         RETURNING request_id, started_at`,
          [
            records.map((r) => r.requestId),
            records.map((r) => r.accountId),
            records.map((r) => r.functionName),
            records.map((r) => r.version),
            records.map((r) => r.startedAt),
            records.map((r) => r.durationMs),
            records.map((r) => r.outcome),
            records.map((r) => pgText(r.text)),
          ],
        );
        if (!alongside || res.rows.length === 0) return;
        const stored = new Set(res.rows.map((r) => `${r.request_id}/${r.started_at.getTime()}`));
        await alongside(
          records.filter((r) => stored.has(`${r.requestId}/${new Date(r.startedAt).getTime()}`)),
          tx,
        );
      });
    },
    async byRequestId(accountId, requestId, limit) {
      if (!/^[0-9a-f-]{36}$/.test(requestId)) return [];
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM invocation_logs WHERE request_id = $1 AND account_id = $2
         ORDER BY started_at DESC LIMIT $3`,
        [requestId, accountId, limit],
      );
      return res.rows.map(toLog);
    },
    async byFunction(accountId, functionName, limit) {
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM invocation_logs WHERE account_id = $1 AND function_name = $2
         ORDER BY started_at DESC LIMIT $3`,
        [accountId, functionName, limit],
      );
      return res.rows.map(toLog);
    },
  };
}
