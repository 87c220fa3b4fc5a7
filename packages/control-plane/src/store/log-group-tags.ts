// A log group's tags in Postgres: read, and changed in one statement (added, removed,
// never past 50), so two changes at once cannot lose one another.
import type { Pool } from "pg";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export const MAX_LOG_GROUP_TAGS = 50;

export function createPgLogGroupTags(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS) {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    /** The group's tags; undefined when there is no such group. */
    async get(accountId: string, name: string): Promise<Record<string, string> | undefined> {
      const res = await db.query<{ tags: Record<string, string> }>(
        "SELECT tags FROM log_groups WHERE account_id = $1 AND name = $2",
        [accountId, name],
      );
      return res.rows[0]?.tags;
    },
    /** Adds `add` and removes `remove`: "missing" without such a group, "too-many" (unchanged) past the limit. */
    async change(
      accountId: string,
      name: string,
      add: Record<string, string>,
      remove: string[],
    ): Promise<"changed" | "missing" | "too-many"> {
      const next = "(tags || $3::jsonb) - $4::text[]";
      const res = await db.query(
        `UPDATE log_groups SET tags = ${next}
         WHERE account_id = $1 AND name = $2 AND (SELECT count(*) FROM jsonb_object_keys(${next})) <= ${MAX_LOG_GROUP_TAGS}`,
        [accountId, name, JSON.stringify(add), remove],
      );
      if (res.rowCount === 1) return "changed";
      return (await this.get(accountId, name)) ? "too-many" : "missing";
    },
  };
}

export type LogGroupTags = ReturnType<typeof createPgLogGroupTags>;
