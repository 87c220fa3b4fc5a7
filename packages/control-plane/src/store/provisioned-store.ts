// Provisioned concurrency configs (migration 047): what was asked for a version or an
// alias, and what the invoker nodes last reported of it. The only place their SQL lives.
import type { Pool } from "pg";
import type { Page } from "../domain.js";
import { pageOf } from "./paging.js";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export type ProvisionedStatus = "IN_PROGRESS" | "READY" | "FAILED";

export interface ProvisionedConfig {
  accountId: string;
  functionName: string;
  qualifier: string;
  requested: number;
  allocated: number;
  status: ProvisionedStatus;
  statusReason?: string;
  lastModified: Date;
}

/** What the nodes' reports make of a config: written only when it changed. */
export type Allocation = Pick<ProvisionedConfig, "allocated" | "status" | "statusReason">;

export interface ProvisionedStore {
  get(accountId: string, name: string, qualifier: string): Promise<ProvisionedConfig | undefined>;
  /** Creates or replaces the config; its allocation starts again from what the nodes report next. */
  put(accountId: string, name: string, qualifier: string, requested: number): Promise<ProvisionedConfig>;
  delete(accountId: string, name: string, qualifier: string): Promise<boolean>;
  /** The function's configs by qualifier, up to `maxItems` after `marker` (a qualifier). */
  list(accountId: string, name: string, marker: string | undefined, maxItems: number): Promise<Page<ProvisionedConfig>>;
  /** Every config of every account (the reconciler's round). */
  all(): Promise<ProvisionedConfig[]>;
  /** What the function's configs other than `qualifier` request, in total. */
  requestedElsewhere(accountId: string, name: string, qualifier: string): Promise<number>;
  /** What the account's functions without a reservation request, in total, leaving out `name`'s `qualifier`. */
  requestedUnreserved(accountId: string, name: string, qualifier: string): Promise<number>;
  /** Records the nodes' report of `c`, unless its requested count was changed since `c` was read. */
  setAllocation(c: ProvisionedConfig, a: Allocation): Promise<void>;
}

interface Row {
  account_id: string;
  function_name: string;
  qualifier: string;
  requested: number;
  allocated: number;
  status: ProvisionedStatus;
  status_reason: string | null;
  last_modified: Date;
}

const COLUMNS = "account_id, function_name, qualifier, requested, allocated, status, status_reason, last_modified";

const toConfig = (r: Row): ProvisionedConfig => ({
  accountId: r.account_id,
  functionName: r.function_name,
  qualifier: r.qualifier,
  requested: r.requested,
  allocated: r.allocated,
  status: r.status,
  ...(r.status_reason !== null ? { statusReason: r.status_reason } : {}),
  lastModified: r.last_modified,
});

export function createPgProvisionedStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): ProvisionedStore {
  const db = boundedDb(pool, statementTimeoutMs);
  const key = "account_id = $1 AND function_name = $2 AND qualifier = $3";
  return {
    async get(accountId, name, qualifier) {
      const res = await db.query<Row>(`SELECT ${COLUMNS} FROM provisioned_concurrency_configs WHERE ${key}`, [
        accountId,
        name,
        qualifier,
      ]);
      return res.rows[0] && toConfig(res.rows[0]);
    },
    async put(accountId, name, qualifier, requested) {
      const res = await db.query<Row>(
        `INSERT INTO provisioned_concurrency_configs (account_id, function_name, qualifier, requested)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, function_name, qualifier) DO UPDATE SET
           requested = EXCLUDED.requested, status = 'IN_PROGRESS', status_reason = NULL, last_modified = now()
         RETURNING ${COLUMNS}`,
        [accountId, name, qualifier, requested],
      );
      return toConfig(res.rows[0] as Row);
    },
    async delete(accountId, name, qualifier) {
      const res = await db.query(`DELETE FROM provisioned_concurrency_configs WHERE ${key}`, [
        accountId,
        name,
        qualifier,
      ]);
      return res.rowCount === 1;
    },
    async list(accountId, name, marker, maxItems) {
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM provisioned_concurrency_configs WHERE account_id = $1 AND function_name = $2
           AND ($3::text IS NULL OR qualifier > $3)
         ORDER BY qualifier LIMIT $4`,
        [accountId, name, marker ?? null, maxItems + 1],
      );
      return pageOf(res.rows, maxItems, toConfig, (c) => c.qualifier);
    },
    async all() {
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM provisioned_concurrency_configs ORDER BY account_id, function_name, qualifier`,
      );
      return res.rows.map(toConfig);
    },
    async requestedElsewhere(accountId, name, qualifier) {
      const res = await db.query<{ n: string | null }>(
        `SELECT sum(requested) AS n FROM provisioned_concurrency_configs
          WHERE account_id = $1 AND function_name = $2 AND qualifier <> $3`,
        [accountId, name, qualifier],
      );
      return Number(res.rows[0]?.n ?? 0);
    },
    async requestedUnreserved(accountId, name, qualifier) {
      const res = await db.query<{ n: string | null }>(
        `SELECT sum(p.requested) AS n FROM provisioned_concurrency_configs p
           JOIN functions f ON f.account_id = p.account_id AND f.name = p.function_name
          WHERE p.account_id = $1 AND f.reserved_concurrency IS NULL
            AND NOT (p.function_name = $2 AND p.qualifier = $3)`,
        [accountId, name, qualifier],
      );
      return Number(res.rows[0]?.n ?? 0);
    },
    async setAllocation(c, a) {
      await db.query(
        `UPDATE provisioned_concurrency_configs SET allocated = $4, status = $5, status_reason = $6
          WHERE ${key} AND requested = $7`,
        [c.accountId, c.functionName, c.qualifier, a.allocated, a.status, a.statusReason ?? null, c.requested],
      );
    },
  };
}
