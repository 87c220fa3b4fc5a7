// The history of metric alarms (DescribeAlarmHistory) in Postgres: items are written
// in the transaction of the change they record (alarm-store.ts), at most
// MAX_HISTORY_PER_ALARM kept per alarm (the oldest beyond are deleted as new ones are
// written), and pruned by age by the evaluation loop. An alarm's items outlive it.
import type { Pool } from "pg";
import type { HistoryItem, HistoryItemType } from "./alarm-types.js";
import { type BoundedDb, boundedDb } from "./pg-helpers.js";

/** History items kept per alarm: the oldest beyond are deleted as new ones are written. */
export const MAX_HISTORY_PER_ALARM = 1_000;

export interface HistoryQuery {
  alarmName?: string;
  type?: HistoryItemType;
  start?: Date;
  end?: Date;
  ascending: boolean;
  /** Items after this one in the order asked (paging). */
  after?: { at: Date; id: string };
  limit: number;
}

export type StoredHistoryItem = HistoryItem & { id: string };

/** Writes history items of `accountId`'s alarms, keeping at most MAX_HISTORY_PER_ALARM an alarm. */
export async function insertHistory(c: BoundedDb, accountId: string, items: HistoryItem[]): Promise<void> {
  if (items.length === 0) return;
  await c.query(
    `INSERT INTO metric_alarm_history (account_id, alarm_name, item_type, at, summary, data)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[])`,
    [
      accountId,
      items.map((i) => i.alarmName),
      items.map((i) => i.type),
      items.map((i) => i.at),
      items.map((i) => i.summary),
      items.map((i) => i.data),
    ],
  );
  for (const name of new Set(items.map((i) => i.alarmName))) {
    await c.query(
      `DELETE FROM metric_alarm_history WHERE account_id = $1 AND alarm_name = $2 AND (at, id) <= (
         SELECT at, id FROM metric_alarm_history WHERE account_id = $1 AND alarm_name = $2
          ORDER BY at DESC, id DESC OFFSET $3 LIMIT 1)`,
      [accountId, name, MAX_HISTORY_PER_ALARM],
    );
  }
}

export function createPgAlarmHistory(pool: Pool, statementTimeoutMs: number) {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    /** The account's history items matching `q`, in the order asked, at most `q.limit`. */
    async list(accountId: string, q: HistoryQuery): Promise<StoredHistoryItem[]> {
      const cmp = q.ascending ? ">" : "<";
      const dir = q.ascending ? "ASC" : "DESC";
      const res = await db.query<{
        id: string;
        alarm_name: string;
        item_type: HistoryItemType;
        at: Date;
        summary: string;
        data: string;
      }>(
        `SELECT id, alarm_name, item_type, at, summary, data FROM metric_alarm_history
          WHERE account_id = $1
            AND ($2::text IS NULL OR alarm_name = $2)
            AND ($3::text IS NULL OR item_type = $3)
            AND ($4::timestamptz IS NULL OR at >= $4)
            AND ($5::timestamptz IS NULL OR at <= $5)
            AND ($6::timestamptz IS NULL OR (at, id) ${cmp} ($6, $7::bigint))
          ORDER BY at ${dir}, id ${dir} LIMIT $8`,
        [
          accountId,
          q.alarmName ?? null,
          q.type ?? null,
          q.start ?? null,
          q.end ?? null,
          q.after?.at ?? null,
          q.after?.id ?? null,
          q.limit,
        ],
      );
      return res.rows.map((r) => ({
        id: String(r.id),
        alarmName: r.alarm_name,
        type: r.item_type,
        at: r.at,
        summary: r.summary,
        data: r.data,
      }));
    },

    /** Deletes history items older than `before`; how many. */
    async prune(before: Date): Promise<number> {
      const res = await db.query("DELETE FROM metric_alarm_history WHERE at < $1", [before]);
      return res.rowCount ?? 0;
    },
  };
}

export type AlarmHistory = ReturnType<typeof createPgAlarmHistory>;
