// One pass of the hourly usage rollup, in one transaction: the watermark row is
// locked FOR UPDATE SKIP LOCKED (a control plane that finds it locked skips its
// pass: another is rolling), the hours of the window (rollup-window.ts) are
// recomputed from the raw rows and upserted (so a pass run twice changes nothing),
// the watermark moves on, and raw rows already rolled and past retention are pruned.
import type { Pool } from "pg";
import { boundedDb } from "./pg-helpers.js";
import { type RollupWindow, rollupWindow } from "./rollup-window.js";
import { RAW_MEASURES } from "./usage-store.js";

export interface RollupPass {
  /** The hours rolled, or undefined when none were due. */
  window?: RollupWindow;
  /** Raw rows deleted. */
  pruned: number;
}

export interface RollupOptions {
  /** A closed hour is rolled this long after it ends (late rows, clocks apart). */
  graceMs: number;
  /** Raw rows are kept this long (and always until rolled). */
  retentionMs: number;
  /** Hours rolled in one pass at most. */
  maxHours: number;
  /** Raw rows deleted in one pass at most. */
  pruneBatch: number;
}

export interface UsageRollupStore {
  /** Runs a pass; undefined when another control plane holds the rollup. */
  rollUp(opts: RollupOptions): Promise<RollupPass | undefined>;
}

/** A rollup's pass may take longer than a request's statement: it reads an hour of raw rows. */
const ROLLUP_STATEMENT_MS = 120_000;

export function createPgUsageRollupStore(pool: Pool, statementTimeoutMs = ROLLUP_STATEMENT_MS): UsageRollupStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    rollUp: (opts) =>
      db.transaction(async (c) => {
        const held = await c.query<{ rolled_until: Date | null; now: Date; oldest: Date | null }>(
          `SELECT rolled_until, now() AS now, (SELECT min(ended_at) FROM invocation_usage) AS oldest
           FROM usage_rollup_state WHERE id = 1 FOR UPDATE SKIP LOCKED`,
        );
        const state = held.rows[0];
        if (!state) return undefined;
        const window = rollupWindow(state.rolled_until, state.oldest, state.now, opts.graceMs, opts.maxHours);
        if (window) {
          await c.query(
            `INSERT INTO usage_hourly (account_id, function_name, hour, requests, errors, billed_ms, gb_seconds, cold_starts)
             SELECT account_id, function_name, date_trunc('hour', ended_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
               sum(requests), sum(errors), sum(billed_ms), sum(gb_seconds), sum(cold_starts)
             FROM (SELECT account_id, function_name, ended_at, ${RAW_MEASURES} FROM invocation_usage
                   WHERE ended_at >= $1 AND ended_at < $2) r
             GROUP BY 1, 2, 3
             ON CONFLICT (account_id, function_name, hour) DO UPDATE SET requests = EXCLUDED.requests,
               errors = EXCLUDED.errors, billed_ms = EXCLUDED.billed_ms, gb_seconds = EXCLUDED.gb_seconds,
               cold_starts = EXCLUDED.cold_starts`,
            [window.from, window.to],
          );
          await c.query("UPDATE usage_rollup_state SET rolled_until = $1 WHERE id = 1", [window.to]);
        }
        // Rows an hour below the watermark stay: a pass rolls that hour again for late rows.
        const rolled = window?.to ?? state.rolled_until;
        if (!rolled) return { window, pruned: 0 };
        const keepFrom = new Date(Math.min(rolled.getTime() - 3_600_000, state.now.getTime() - opts.retentionMs));
        const pruned = await c.query(
          `DELETE FROM invocation_usage WHERE (request_id, attempt) IN (
             SELECT request_id, attempt FROM invocation_usage WHERE ended_at < $1 LIMIT $2)`,
          [keepFrom, opts.pruneBatch],
        );
        return { window, pruned: pruned.rowCount ?? 0 };
      }),
  };
}
