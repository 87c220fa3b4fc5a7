// A row's `tags` (a jsonb map) changed in one statement: keys added (replacing their
// values) and removed, never past a limit, so two changes at once cannot lose one
// another. The stores of tagged resources (rules and buses, log groups, IAM roles and
// policies, event source mappings) share it.
import type { BoundedDb } from "./pg-helpers.js";

export type TagsChange = "changed" | "missing" | "too-many";

/**
 * Changes the tags of the one row of `table` that `where` selects with `key` as $1..$n.
 * "missing" when `exists` says there is no such row, "too-many" (nothing changed) when
 * the result would hold more than `max`.
 */
export async function changeTags(
  db: Pick<BoundedDb, "query">,
  target: { table: string; where: string; key: unknown[]; exists: () => Promise<boolean> },
  add: Record<string, string>,
  remove: string[],
  max = 50,
): Promise<TagsChange> {
  const n = target.key.length;
  const next = `(tags || $${n + 1}::jsonb) - $${n + 2}::text[]`;
  const res = await db.query(
    `UPDATE ${target.table} SET tags = ${next}
     WHERE ${target.where} AND (SELECT count(*) FROM jsonb_object_keys(${next})) <= ${Math.trunc(max)}`,
    [...target.key, JSON.stringify(add), remove],
  );
  if (res.rowCount === 1) return "changed";
  return (await target.exists()) ? "too-many" : "missing";
}
