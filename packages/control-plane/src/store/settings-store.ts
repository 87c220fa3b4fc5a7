// Per-function configuration resources beside the function itself: reserved
// concurrency, tags and event-invoke configs, plus the account's usage figures.
// The only place their SQL lives.
import type { Pool } from "pg";
import type { EventInvokeConfig, Page } from "../domain.js";
import { pageOf } from "./paging.js";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export interface AccountUsage {
  functionCount: number;
  totalCodeSize: number;
  reservedConcurrency: number;
}

export interface SettingsStore {
  /** Undefined when the function does not exist; null when no reservation is set. */
  getReservedConcurrency(accountId: string, name: string): Promise<number | null | undefined>;
  /** Sets (or clears with null) the reservation; false when the function does not exist. */
  setReservedConcurrency(accountId: string, name: string, value: number | null): Promise<boolean>;
  /** Sum of reservations of the account's other functions. */
  reservedElsewhere(accountId: string, name: string): Promise<number>;
  getTags(accountId: string, name: string): Promise<Record<string, string> | undefined>;
  setTags(accountId: string, name: string, tags: Record<string, string>): Promise<boolean>;
  getEventInvokeConfig(accountId: string, name: string, qualifier: string): Promise<EventInvokeConfig | undefined>;
  putEventInvokeConfig(config: Omit<EventInvokeConfig, "lastModified">): Promise<EventInvokeConfig>;
  deleteEventInvokeConfig(accountId: string, name: string, qualifier: string): Promise<boolean>;
  /** The function's configs by qualifier, up to `maxItems` after `marker` (a qualifier). */
  listEventInvokeConfigs(
    accountId: string,
    name: string,
    marker: string | undefined,
    maxItems: number,
  ): Promise<Page<EventInvokeConfig>>;
  usage(accountId: string): Promise<AccountUsage>;
  /** Every reservation the account's functions have, by function name (a function without one is absent). */
  reservationsOf(accountId: string): Promise<Map<string, number>>;
}

/** The channel Postgres announces an account's changed reservations on, with its id (migration 038). */
export const RESERVATIONS_CHANNEL = "stratus_reservations";

interface ConfigRow {
  account_id: string;
  function_name: string;
  qualifier: string;
  maximum_retry_attempts: number | null;
  maximum_event_age_seconds: number | null;
  destination_config: EventInvokeConfig["destinationConfig"];
  last_modified: Date;
}

const CONFIG_COLUMNS =
  "account_id, function_name, qualifier, maximum_retry_attempts, maximum_event_age_seconds, destination_config, last_modified";

function toConfig(r: ConfigRow): EventInvokeConfig {
  return {
    accountId: r.account_id,
    functionName: r.function_name,
    qualifier: r.qualifier,
    ...(r.maximum_retry_attempts !== null ? { maximumRetryAttempts: r.maximum_retry_attempts } : {}),
    ...(r.maximum_event_age_seconds !== null ? { maximumEventAgeSeconds: r.maximum_event_age_seconds } : {}),
    destinationConfig: r.destination_config,
    lastModified: r.last_modified,
  };
}

/** `statementTimeoutMs`: how long one statement may take (see pg-helpers.ts). */
export function createPgSettingsStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): SettingsStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    async getReservedConcurrency(accountId, name) {
      const res = await db.query<{ reserved_concurrency: number | null }>(
        "SELECT reserved_concurrency FROM functions WHERE account_id = $1 AND name = $2",
        [accountId, name],
      );
      return res.rows[0] ? res.rows[0].reserved_concurrency : undefined;
    },
    async setReservedConcurrency(accountId, name, value) {
      const res = await db.query("UPDATE functions SET reserved_concurrency = $3 WHERE account_id = $1 AND name = $2", [
        accountId,
        name,
        value,
      ]);
      return res.rowCount === 1;
    },
    async reservedElsewhere(accountId, name) {
      const res = await db.query<{ n: string | null }>(
        "SELECT sum(reserved_concurrency) AS n FROM functions WHERE account_id = $1 AND name <> $2",
        [accountId, name],
      );
      return Number(res.rows[0]?.n ?? 0);
    },
    async getTags(accountId, name) {
      const res = await db.query<{ tags: Record<string, string> }>(
        "SELECT tags FROM functions WHERE account_id = $1 AND name = $2",
        [accountId, name],
      );
      return res.rows[0]?.tags;
    },
    async setTags(accountId, name, tags) {
      const res = await db.query("UPDATE functions SET tags = $3 WHERE account_id = $1 AND name = $2", [
        accountId,
        name,
        JSON.stringify(tags),
      ]);
      return res.rowCount === 1;
    },
    async getEventInvokeConfig(accountId, name, qualifier) {
      const res = await db.query<ConfigRow>(
        `SELECT ${CONFIG_COLUMNS} FROM event_invoke_configs WHERE account_id = $1 AND function_name = $2 AND qualifier = $3`,
        [accountId, name, qualifier],
      );
      return res.rows[0] && toConfig(res.rows[0]);
    },
    async putEventInvokeConfig(c) {
      const res = await db.query<ConfigRow>(
        `INSERT INTO event_invoke_configs (${CONFIG_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6, now())
         ON CONFLICT (account_id, function_name, qualifier) DO UPDATE SET
           maximum_retry_attempts = EXCLUDED.maximum_retry_attempts,
           maximum_event_age_seconds = EXCLUDED.maximum_event_age_seconds,
           destination_config = EXCLUDED.destination_config, last_modified = now()
         RETURNING ${CONFIG_COLUMNS}`,
        [
          c.accountId,
          c.functionName,
          c.qualifier,
          c.maximumRetryAttempts ?? null,
          c.maximumEventAgeSeconds ?? null,
          JSON.stringify(c.destinationConfig),
        ],
      );
      return toConfig(res.rows[0] as ConfigRow);
    },
    async deleteEventInvokeConfig(accountId, name, qualifier) {
      const res = await db.query(
        "DELETE FROM event_invoke_configs WHERE account_id = $1 AND function_name = $2 AND qualifier = $3",
        [accountId, name, qualifier],
      );
      return res.rowCount === 1;
    },
    async listEventInvokeConfigs(accountId, name, marker, maxItems) {
      const res = await db.query<ConfigRow>(
        `SELECT ${CONFIG_COLUMNS} FROM event_invoke_configs WHERE account_id = $1 AND function_name = $2
           AND ($3::text IS NULL OR qualifier > $3)
         ORDER BY qualifier LIMIT $4`,
        [accountId, name, marker ?? null, maxItems + 1],
      );
      return pageOf(res.rows, maxItems, toConfig, (c) => c.qualifier);
    },
    async reservationsOf(accountId) {
      const res = await db.query<{ name: string; reserved_concurrency: number }>(
        "SELECT name, reserved_concurrency FROM functions WHERE account_id = $1 AND reserved_concurrency IS NOT NULL",
        [accountId],
      );
      return new Map(res.rows.map((r) => [r.name, r.reserved_concurrency]));
    },
    async usage(accountId) {
      const res = await db.query<{ functions: string; code: string | null; reserved: string | null }>(
        `SELECT (SELECT count(*) FROM functions WHERE account_id = $1) AS functions,
                (SELECT sum(code_size) FROM function_versions WHERE account_id = $1) AS code,
                (SELECT sum(reserved_concurrency) FROM functions WHERE account_id = $1) AS reserved`,
        [accountId],
      );
      const r = res.rows[0];
      return {
        functionCount: Number(r?.functions ?? 0),
        totalCodeSize: Number(r?.code ?? 0),
        reservedConcurrency: Number(r?.reserved ?? 0),
      };
    },
  };
}
