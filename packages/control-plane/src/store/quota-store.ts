// Per-account monthly usage quotas (migration 019 account_quotas), set by an operator.
import type { Pool } from "pg";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

/** An account's monthly limits; undefined: no limit of that kind. */
export interface Quota {
  requests?: number;
  gbSeconds?: number;
}

export interface QuotaStore {
  /** Every account's quota that sets a limit. */
  all(): Promise<Map<string, Quota>>;
  get(accountId: string): Promise<Quota>;
  /** Sets (replaces) the account's quota; one with no limit at all is removed. */
  put(accountId: string, quota: Quota): Promise<void>;
}

const toQuota = (r: { monthly_requests: string | null; monthly_gb_seconds: number | null }): Quota => ({
  ...(r.monthly_requests === null ? {} : { requests: Number(r.monthly_requests) }),
  ...(r.monthly_gb_seconds === null ? {} : { gbSeconds: r.monthly_gb_seconds }),
});

type Row = { account_id: string; monthly_requests: string | null; monthly_gb_seconds: number | null };

export function createPgQuotaStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): QuotaStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    async all() {
      const res = await db.query<Row>("SELECT account_id, monthly_requests, monthly_gb_seconds FROM account_quotas");
      return new Map(res.rows.map((r) => [r.account_id, toQuota(r)]));
    },
    async get(accountId) {
      const res = await db.query<Row>(
        "SELECT account_id, monthly_requests, monthly_gb_seconds FROM account_quotas WHERE account_id = $1",
        [accountId],
      );
      return res.rows[0] ? toQuota(res.rows[0]) : {};
    },
    async put(accountId, quota) {
      if (quota.requests === undefined && quota.gbSeconds === undefined) {
        await db.query("DELETE FROM account_quotas WHERE account_id = $1", [accountId]);
        return;
      }
      await db.query(
        `INSERT INTO account_quotas (account_id, monthly_requests, monthly_gb_seconds) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET monthly_requests = $2, monthly_gb_seconds = $3, updated_at = now()`,
        [accountId, quota.requests ?? null, quota.gbSeconds ?? null],
      );
    },
  };
}
