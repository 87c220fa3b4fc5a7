// The log sweep's SQL (migration 018's tables): claiming groups due retention or over
// the cap, so that several control planes never sweep one group at once, and deleting
// their old events in batches, each statement short, counted off the group's bytes.
import type { Pool } from "pg";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export interface SweepTarget {
  accountId: string;
  group: string;
  retentionDays?: number;
  storedBytes: number;
}

export function createPgLogSweepStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS) {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    /**
     * Claims up to `limit` groups due a sweep (a retention policy, or more stored than
     * `capBytes`) not swept for `everyMs`, marking them swept now: another control plane
     * skips them (SKIP LOCKED while claiming, then the mark).
     */
    async claimSweep(capBytes: number, everyMs: number, limit: number): Promise<SweepTarget[]> {
      const res = await db.query<{
        account_id: string;
        name: string;
        retention_days: number | null;
        stored_bytes: string;
      }>(
        `UPDATE log_groups g SET swept_at = now() FROM (
           SELECT account_id, name FROM log_groups
           WHERE swept_at < now() - make_interval(secs => $2::float8 / 1000)
             AND (retention_days IS NOT NULL OR stored_bytes > $1)
           ORDER BY swept_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
         WHERE g.account_id = due.account_id AND g.name = due.name
         RETURNING g.account_id, g.name, g.retention_days, g.stored_bytes`,
        [capBytes, everyMs, limit],
      );
      return res.rows.map((r) => ({
        accountId: r.account_id,
        group: r.name,
        ...(r.retention_days !== null ? { retentionDays: r.retention_days } : {}),
        storedBytes: Number(r.stored_bytes),
      }));
    },

    /**
     * Deletes a group's events older than `before` (epoch ms), and the streams left with
     * none (a stream made empty by CreateLogStream once it is itself that old). Returns how many.
     */
    async expire(accountId: string, group: string, before: number): Promise<number> {
      const n = await deleteEvents(db, accountId, group, "ts < $3", [before]);
      await db.query(
        `DELETE FROM log_streams WHERE account_id = $1 AND group_name = $2 AND last_event_at < $3
           AND (last_ingestion_at > 0 OR created_at < to_timestamp($3 / 1000.0))`,
        [accountId, group, before],
      );
      return n;
    },

    /** Deletes a group's oldest events until at most `capBytes` remain stored. Returns how many. */
    async trim(accountId: string, group: string, capBytes: number): Promise<number> {
      let deleted = 0;
      for (;;) {
        const g = (
          await db.query<{ stored_bytes: string }>(
            "SELECT stored_bytes FROM log_groups WHERE account_id = $1 AND name = $2",
            [accountId, group],
          )
        ).rows[0];
        if (!g || Number(g.stored_bytes) <= capBytes) return deleted;
        // Of the oldest events, those whose bytes before them do not yet cover the excess.
        const res = await db.query<{ n: string; bytes: string }>(
          `WITH first AS (
             SELECT id, ts, octet_length(message) + 26 AS b FROM log_events
             WHERE account_id = $1 AND group_name = $2 ORDER BY ts, id LIMIT 1000),
           oldest AS (SELECT id, b, sum(b) OVER (ORDER BY ts, id) AS run FROM first),
           gone AS (
             DELETE FROM log_events WHERE id IN (SELECT id FROM oldest WHERE run - b < $3)
             RETURNING octet_length(message) + 26 AS b)
           SELECT count(*) AS n, coalesce(sum(b), 0) AS bytes FROM gone`,
          [accountId, group, Number(g.stored_bytes) - capBytes],
        );
        const n = Number(res.rows[0]?.n ?? 0);
        if (n === 0) {
          // Nothing left to delete, yet over the cap: the count drifted; count again.
          await db.query(
            `UPDATE log_groups SET stored_bytes = (SELECT coalesce(sum(octet_length(message) + 26), 0)
               FROM log_events WHERE account_id = $1 AND group_name = $2) WHERE account_id = $1 AND name = $2`,
            [accountId, group],
          );
          return deleted;
        }
        await db.query(
          "UPDATE log_groups SET stored_bytes = GREATEST(0, stored_bytes - $3) WHERE account_id = $1 AND name = $2",
          [accountId, group, Number(res.rows[0]?.bytes ?? 0)],
        );
        deleted += n;
      }
    },
  };
}

export type LogSweepStore = ReturnType<typeof createPgLogSweepStore>;

/** Deletes the group's events matching `cond` in batches, counting their bytes off the group. */
export async function deleteEvents(
  db: BoundedDb,
  accountId: string,
  group: string,
  cond: string,
  values: unknown[],
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const res = await db.query<{ n: string; bytes: string }>(
      `WITH gone AS (
         DELETE FROM log_events WHERE id IN (
           SELECT id FROM log_events WHERE account_id = $1 AND group_name = $2 AND ${cond} LIMIT 5000)
         RETURNING octet_length(message) + 26 AS b)
       SELECT count(*) AS n, coalesce(sum(b), 0) AS bytes FROM gone`,
      [accountId, group, ...values],
    );
    const n = Number(res.rows[0]?.n ?? 0);
    if (n === 0) return deleted;
    deleted += n;
    await db.query(
      "UPDATE log_groups SET stored_bytes = GREATEST(0, stored_bytes - $3) WHERE account_id = $1 AND name = $2",
      [accountId, group, Number(res.rows[0]?.bytes ?? 0)],
    );
  }
}
