// Step Functions executions that EventBridge rules and Scheduler schedules ask for
// (migration 046): written with the event or tick that asks, then started by the
// states module's relay (states/start-relay.ts), each under its request id as the
// execution's name, so a request started twice starts one execution.
import type { Pool } from "pg";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export interface StartRequest {
  /** Also the execution's name. */
  id: string;
  accountId: string;
  machineArn: string;
  input: string;
}

/** Writes `requests` in the caller's transaction (a request already written is left as it is). */
export async function insertStartRequests(c: BoundedDb, requests: StartRequest[]): Promise<void> {
  if (requests.length === 0) return;
  await c.query(
    `INSERT INTO sfn_start_requests (id, account_id, machine_arn, input)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
    [
      requests.map((r) => r.id),
      requests.map((r) => r.accountId),
      requests.map((r) => r.machineArn),
      requests.map((r) => r.input),
    ],
  );
}

/** What became of one request: started (or refused for good: dropped), or to try again later. */
export type StartOutcome = "done" | "retry";

export function createPgStartRequests(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS) {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    /**
     * Claims up to `limit` due requests (none another control plane holds), starts each
     * with `start`, and removes those done; a request to retry waits a little longer
     * each time. Returns how many were claimed.
     */
    drain(limit: number, start: (r: StartRequest) => Promise<StartOutcome>): Promise<number> {
      return db.transaction(async (c) => {
        const due = await c.query<{ id: string; account_id: string; machine_arn: string; input: string }>(
          `SELECT id, account_id, machine_arn, input FROM sfn_start_requests WHERE next_try_at <= now()
           ORDER BY next_try_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
        for (const r of due.rows) {
          const outcome = await start({ id: r.id, accountId: r.account_id, machineArn: r.machine_arn, input: r.input });
          if (outcome === "done") await c.query("DELETE FROM sfn_start_requests WHERE id = $1", [r.id]);
          else {
            await c.query(
              `UPDATE sfn_start_requests SET attempts = attempts + 1,
                 next_try_at = now() + make_interval(secs => least(60, power(2, attempts))) WHERE id = $1`,
              [r.id],
            );
          }
        }
        return due.rows.length;
      });
    },
  };
}

export type StartRequests = ReturnType<typeof createPgStartRequests>;
