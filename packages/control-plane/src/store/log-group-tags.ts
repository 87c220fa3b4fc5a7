// A log group's tags in Postgres: read, and changed in one statement (tags-column.ts).
import type { Pool } from "pg";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";
import { changeTags, type TagsChange } from "./tags-column.js";

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
    async change(accountId: string, name: string, add: Record<string, string>, remove: string[]): Promise<TagsChange> {
      const exists = async () => (await this.get(accountId, name)) !== undefined;
      const target = { table: "log_groups", where: "account_id = $1 AND name = $2", key: [accountId, name], exists };
      return changeTags(db, target, add, remove, MAX_LOG_GROUP_TAGS);
    },
  };
}

export type LogGroupTags = ReturnType<typeof createPgLogGroupTags>;
