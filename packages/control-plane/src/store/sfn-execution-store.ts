// Step Functions executions and their histories in Postgres. An append takes the
// execution's row lock, checks the history is still `expectedLength` events long and
// inserts the events in the same transaction; the (execution, id) key makes a racing
// append fail cleanly besides. Drivers claim due executions with SKIP LOCKED and a
// lease, so two control planes never decide one execution at once, and a dead one's
// leases run out for the others to take over. The log lines of the events an insert
// adds are written in its transaction, under a savepoint: lines Postgres refuses are
// lost, never the events.
import type { Pool } from "pg";
import { appendedLines, type LogBatch } from "../states/execution-logs.js";
import { acceptInTransaction } from "./async-store.js";
import {
  closingFields,
  closingStatus,
  type ExecutionRow,
  type ExecutionStatus,
  type ExecutionStore,
  type HistoryEvent,
} from "./execution-store.js";
import { answeredByPostgres, type BoundedDb, boundedDb, isDataError, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";
import { writeFiring } from "./schedule-store.js";
import type { MachineLogging } from "./sfn-machine-store.js";
import { insertMessages } from "./sqs-messages.js";

/** Where executions' log lines go: CloudWatch Logs, written in the caller's transaction. */
export interface ExecutionLogSink {
  /** Writes `batch` in `tx` (nothing when its group no longer exists). */
  write(tx: BoundedDb, accountId: string, batch: LogBatch): Promise<void>;
  /** Told of lines that could not be written; the events were appended without them. */
  failed(executionArn: string, err: unknown): void;
}

/** The machine's logging, read in the same statement as the execution row it locks. */
const LOGGING_OF = "(SELECT m.logging FROM sfn_state_machines m WHERE m.arn = machine_arn) AS logging";

interface Row {
  arn: string;
  account_id: string;
  machine_arn: string;
  name: string;
  revision: number;
  status: ExecutionStatus;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  start_date: Date;
  stop_date: Date | null;
  history_length: number;
  parent_arn: string | null;
  parent_key: string | null;
}

const COLUMNS = `arn, account_id, machine_arn, name, revision, status, input, output, error, cause, start_date,
  stop_date, history_length, parent_arn, parent_key`;

function fromRow(r: Row): ExecutionRow {
  return {
    arn: r.arn,
    accountId: r.account_id,
    machineArn: r.machine_arn,
    name: r.name,
    revision: r.revision,
    status: r.status,
    input: r.input,
    ...(r.output !== null ? { output: r.output } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
    ...(r.cause !== null ? { cause: r.cause } : {}),
    startDate: r.start_date,
    ...(r.stop_date ? { stopDate: r.stop_date } : {}),
    historyLength: r.history_length,
    ...(r.parent_arn ? { parentArn: r.parent_arn } : {}),
    ...(r.parent_key ? { parentKey: r.parent_key } : {}),
  };
}

export function createPgExecutionStore(
  pool: Pool,
  statementTimeoutMs = STATEMENT_TIMEOUT_MS,
  logs?: ExecutionLogSink,
): ExecutionStore {
  const db = boundedDb(pool, statementTimeoutMs);
  /** Writes the lines of `events`, in `tx`; a failure rolls back to before them and is told. */
  async function writeLines(
    tx: BoundedDb,
    row: { arn: string; accountId: string; machineArn: string; startDate: Date },
    logging: MachineLogging | null,
    events: HistoryEvent[],
  ): Promise<void> {
    const batch = logs && appendedLines(row, logging, events);
    if (!logs || !batch) return;
    await tx.query("SAVEPOINT execution_log");
    try {
      await logs.write(tx, row.accountId, batch);
      await tx.query("RELEASE SAVEPOINT execution_log");
    } catch (err) {
      // A timeout or a lost connection is no refusal of the lines: the whole append fails, to be tried again.
      if (!answeredByPostgres(err)) throw err;
      await tx.query("ROLLBACK TO SAVEPOINT execution_log");
      logs.failed(row.arn, err);
    }
  }
  const get = async (arn: string) => {
    const res = await db.query<Row>(`SELECT ${COLUMNS} FROM sfn_executions WHERE arn = $1`, [arn]);
    return res.rows[0] ? fromRow(res.rows[0]) : undefined;
  };
  return {
    async create(e) {
      const created = await db.transaction(async (c) => {
        const res = await c.query<{ start_date: Date; logging: MachineLogging | null }>(
          `INSERT INTO sfn_executions (arn, account_id, machine_arn, name, revision, status, input, history_length,
             wake_at, parent_arn, parent_key)
           VALUES ($1, $2, $3, $4, $5, 'RUNNING', $6, 1, now(), $7, $8) ON CONFLICT DO NOTHING
           RETURNING start_date, ${LOGGING_OF}`,
          [e.arn, e.accountId, e.machineArn, e.name, e.revision, e.input, e.parentArn ?? null, e.parentKey ?? null],
        );
        const made = res.rows[0];
        if (!made) return false;
        await c.query("INSERT INTO sfn_history (execution_arn, id, event) VALUES ($1, 1, $2)", [
          e.arn,
          JSON.stringify(e.started),
        ]);
        await writeLines(c, { ...e, startDate: made.start_date }, made.logging, [e.started]);
        return true;
      });
      return { created, row: (await get(e.arn)) as ExecutionRow };
    },
    get,
    async list(machineArn, status, limit, after) {
      // Newest first; the token is the last row's (start date, arn).
      const [date, arn] = after ? (JSON.parse(Buffer.from(after, "base64url").toString()) as [string, string]) : [];
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM sfn_executions WHERE machine_arn = $1 AND ($2::text IS NULL OR status = $2)
           AND ($3::timestamptz IS NULL OR (start_date, arn) < ($3::timestamptz, $4::text))
         ORDER BY start_date DESC, arn DESC LIMIT $5`,
        [machineArn, status ?? null, date ?? null, arn ?? null, limit + 1],
      );
      const rows = res.rows.slice(0, limit).map(fromRow);
      const last = rows[rows.length - 1];
      const more = res.rows.length > limit && last;
      return {
        executions: rows,
        ...(more
          ? { next: Buffer.from(JSON.stringify([last.startDate.toISOString(), last.arn])).toString("base64url") }
          : {}),
      };
    },
    async read(arn) {
      const res = await db.query<{ event: HistoryEvent }>(
        "SELECT event FROM sfn_history WHERE execution_arn = $1 ORDER BY id",
        [arn],
      );
      return res.rows.map((r) => r.event);
    },
    async append(arn, expectedLength, events, wakeNow, tokens = []) {
      const last = events[events.length - 1];
      if (!last) return true;
      const status = closingStatus(last);
      const fields = status ? closingFields(last) : {};
      try {
        return await db.transaction(async (c) => {
          const res = await c.query<{
            account_id: string;
            machine_arn: string;
            start_date: Date;
            logging: MachineLogging | null;
          }>(
            `UPDATE sfn_executions SET history_length = $3,
               status = coalesce($4, status), output = $5, error = $6, cause = $7,
               stop_date = CASE WHEN $4::text IS NULL THEN NULL ELSE now() END,
               wake_at = CASE WHEN $4::text IS NOT NULL THEN NULL WHEN $8 THEN now() ELSE wake_at END
             WHERE arn = $1 AND history_length = $2 AND status = 'RUNNING'
             RETURNING account_id, machine_arn, start_date, ${LOGGING_OF}`,
            [
              arn,
              expectedLength,
              expectedLength + events.length,
              status ?? null,
              fields.output ?? null,
              fields.error ?? null,
              fields.cause ?? null,
              wakeNow,
            ],
          );
          const row = res.rows[0];
          if (!row) return false;
          await c.query(
            `INSERT INTO sfn_history (execution_arn, id, event)
             SELECT $1, (e->>'id')::int, e FROM jsonb_array_elements($2::jsonb) e`,
            [arn, JSON.stringify(events)],
          );
          if (tokens.length > 0)
            await c.query(
              `INSERT INTO sfn_task_tokens (token, account_id, execution_arn, effect_key)
               SELECT t->>'token', $2, $1, t->>'effectKey' FROM jsonb_array_elements($3::jsonb) t
               ON CONFLICT DO NOTHING`,
              [arn, row.account_id, JSON.stringify(tokens)],
            );
          const at = { arn, accountId: row.account_id, machineArn: row.machine_arn, startDate: row.start_date };
          await writeLines(c, at, row.logging, events);
          return true;
        });
      } catch (err) {
        // A racing writer took one of these ids first (unique (execution, id)).
        if (isDataError(err)) return false;
        throw err;
      }
    },
    async claim(owner, limit, leaseMs) {
      const res = await db.query<Row>(
        `UPDATE sfn_executions SET lease_owner = $1, lease_until = now() + make_interval(secs => $3::float8 / 1000)
         WHERE arn IN (SELECT arn FROM sfn_executions
                       WHERE status = 'RUNNING' AND wake_at <= now() AND (lease_until IS NULL OR lease_until < now())
                       ORDER BY wake_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING ${COLUMNS}`,
        [owner, limit, leaseMs],
      );
      return res.rows.map(fromRow);
    },
    async release(arn, owner, seenLength, wakeAt) {
      await db.query(
        `UPDATE sfn_executions SET lease_owner = NULL, lease_until = NULL,
           wake_at = CASE WHEN status <> 'RUNNING' THEN NULL WHEN history_length <> $3 THEN now() ELSE $4 END
         WHERE arn = $1 AND lease_owner = $2`,
        [arn, owner, seenLength, wakeAt ?? null],
      );
    },
    async acceptTask(t, invocation) {
      await db.transaction(async (c) => {
        if (invocation) await acceptInTransaction(c, [invocation]);
        if (t.invocationId) {
          await c.query(
            `INSERT INTO sfn_task_invocations (invocation_id, execution_arn, effect_key, callback)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
            [t.invocationId, t.executionArn, t.effectKey, t.token !== undefined],
          );
        }
        if (t.token) {
          await c.query(
            `INSERT INTO sfn_task_tokens (token, account_id, execution_arn, effect_key) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING`,
            [t.token, t.accountId, t.executionArn, t.effectKey],
          );
        }
      });
    },
    acceptCall(t, writes) {
      return db.transaction(async (c) => {
        const made = await c.query(
          "INSERT INTO sfn_task_calls (execution_arn, effect_key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
          [t.executionArn, t.effectKey],
        );
        if (made.rowCount === 1) {
          for (const m of writes.messages ?? []) await insertMessages(c, m.queueId, [m.message]);
          const firing = {
            invocations: writes.invocations ?? [],
            letters: writes.letters ?? [],
            starts: writes.starts ?? [],
            publishes: writes.publishes ?? [],
            remove: false,
          };
          await writeFiring(c, firing, { written: 0, lost: 0 });
        }
        if (t.token) {
          await c.query(
            `INSERT INTO sfn_task_tokens (token, account_id, execution_arn, effect_key) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING`,
            [t.token, t.accountId, t.executionArn, t.effectKey],
          );
        }
        return made.rowCount === 1;
      });
    },
    async taskOfInvocation(invocationId) {
      const res = await db.query<{ execution_arn: string; effect_key: string; callback: boolean; account_id: string }>(
        `SELECT t.execution_arn, t.effect_key, t.callback, e.account_id FROM sfn_task_invocations t
         JOIN sfn_executions e ON e.arn = t.execution_arn WHERE t.invocation_id = $1`,
        [invocationId],
      );
      const r = res.rows[0];
      if (!r) return undefined;
      return {
        executionArn: r.execution_arn,
        accountId: r.account_id,
        effectKey: r.effect_key,
        invocationId,
        ...(r.callback ? { token: "" } : {}),
      };
    },
    async purgeEnded(before, limit, expressOnly = false) {
      const res = await db.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM sfn_executions WHERE arn IN (
             SELECT arn FROM sfn_executions WHERE status <> 'RUNNING' AND stop_date < $1
               AND ($3::boolean IS FALSE OR arn LIKE 'arn:%:express:%')
             ORDER BY stop_date LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING arn),
         h AS (DELETE FROM sfn_history WHERE execution_arn IN (SELECT arn FROM gone)),
         t AS (DELETE FROM sfn_task_tokens WHERE execution_arn IN (SELECT arn FROM gone)),
         i AS (DELETE FROM sfn_task_invocations WHERE execution_arn IN (SELECT arn FROM gone)),
         k AS (DELETE FROM sfn_task_calls WHERE execution_arn IN (SELECT arn FROM gone))
         SELECT count(*)::int AS n FROM gone`,
        [before, limit, expressOnly],
      );
      return res.rows[0]?.n ?? 0;
    },
    async taskOfToken(token) {
      const res = await db.query<{ execution_arn: string; effect_key: string; account_id: string }>(
        "SELECT execution_arn, effect_key, account_id FROM sfn_task_tokens WHERE token = $1",
        [token],
      );
      const r = res.rows[0];
      return r ? { executionArn: r.execution_arn, accountId: r.account_id, effectKey: r.effect_key, token } : undefined;
    },
    async heartbeat(token, at) {
      await db.query("UPDATE sfn_task_tokens SET heartbeat_at = $2 WHERE token = $1", [token, at]);
    },
    async heartbeats(executionArn) {
      const res = await db.query<{ effect_key: string; at: Date }>(
        "SELECT effect_key, heartbeat_at AS at FROM sfn_task_tokens WHERE execution_arn = $1",
        [executionArn],
      );
      return Object.fromEntries(res.rows.map((r) => [r.effect_key, r.at.getTime()]));
    },
  };
}
