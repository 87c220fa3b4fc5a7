// Collection of content-addressed zips (code_blobs) that nothing refers to any more:
// no function version's code, no layer version, and no layer pinned by a function
// version (a deleted layer version's content stays while a function still uses it).
import type { BoundedDb } from "./pg-helpers.js";

/** Deletes unreferenced zips. A race with a concurrent upload fails harmlessly (the next call collects). */
export async function collectCodeGarbage(db: BoundedDb): Promise<void> {
  await db
    .query(
      `DELETE FROM code_blobs c WHERE
         NOT EXISTS (SELECT 1 FROM function_versions v WHERE v.code_sha256_hex = c.sha256_hex)
         AND NOT EXISTS (SELECT 1 FROM layer_versions l WHERE l.sha256_hex = c.sha256_hex)
         AND NOT EXISTS (SELECT 1 FROM function_versions v
                         WHERE v.layers @> jsonb_build_array(jsonb_build_object('sha256Hex', c.sha256_hex)))`,
    )
    .catch(() => undefined);
}
