// The tags of IAM roles and customer managed policies (migration 040), found by name
// without regard to case as IAM's names are, and changed in one statement (tags-column.ts).
import type { Pool } from "pg";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";
import { changeTags, type TagsChange } from "./tags-column.js";

export const MAX_IAM_TAGS = 50;
export type TaggedKind = "role" | "policy";
const TABLES: Record<TaggedKind, string> = { role: "iam_roles", policy: "iam_policies" };

export function createPgIamTags(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS) {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    /** The tags of the role or policy named; undefined when there is none. */
    async get(kind: TaggedKind, accountId: string, name: string): Promise<Record<string, string> | undefined> {
      const res = await db.query<{ tags: Record<string, string> }>(
        `SELECT tags FROM ${TABLES[kind]} WHERE account_id = $1 AND lower(name) = lower($2)`,
        [accountId, name],
      );
      return res.rows[0]?.tags;
    },
    /** Adds `add` and removes `remove`: "missing" without it, "too-many" (unchanged) past the limit. */
    async change(
      kind: TaggedKind,
      accountId: string,
      name: string,
      add: Record<string, string>,
      remove: string[],
    ): Promise<TagsChange> {
      const exists = async () => (await this.get(kind, accountId, name)) !== undefined;
      const where = "account_id = $1 AND lower(name) = lower($2)";
      return changeTags(db, { table: TABLES[kind], where, key: [accountId, name], exists }, add, remove, MAX_IAM_TAGS);
    },
  };
}

export type IamTags = ReturnType<typeof createPgIamTags>;
