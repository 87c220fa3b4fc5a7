// The tags of IAM roles and customer managed policies (migration 040), found by name
// without regard to case as IAM's names are, and changed in one statement each (added,
// removed, never past 50), so that two changes at once cannot lose one another.
import type { Pool } from "pg";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

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
    ): Promise<"changed" | "missing" | "too-many"> {
      const next = "(tags || $3::jsonb) - $4::text[]";
      const res = await db.query(
        `UPDATE ${TABLES[kind]} SET tags = ${next}
         WHERE account_id = $1 AND lower(name) = lower($2)
           AND (SELECT count(*) FROM jsonb_object_keys(${next})) <= ${MAX_IAM_TAGS}`,
        [accountId, name, JSON.stringify(add), remove],
      );
      if (res.rowCount === 1) return "changed";
      return (await this.get(kind, accountId, name)) ? "too-many" : "missing";
    },
  };
}

export type IamTags = ReturnType<typeof createPgIamTags>;
