// Functions, their versions and their content-addressed code. The only place their
// SQL lives. Every change that stores code and a version does so in one
// transaction, so a refused or failed request leaves nothing behind; RevisionId
// preconditions are checked under the row lock of the function.
import { randomUUID } from "node:crypto";
import { LATEST } from "@stratus/shared";
import type { Pool } from "pg";
import { type ConfigurationPatch, type FunctionVersion, type Page, RevisionMismatchError } from "../domain.js";
import { collectCodeGarbage } from "./code-garbage.js";
import { pageOf } from "./paging.js";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";
import { INSERT_VERSION, toVersion, VERSION_COLUMNS, type VersionRow, versionValues } from "./version-rows.js";

export interface NewCode {
  zip: Buffer;
  codeSha256Hex: string;
}

/** A new function: a zip function brings its zip; an image function its `image`, and no zip. */
export interface NewFunction extends Omit<FunctionVersion, "version" | "lastModified" | "codeSize"> {
  zip?: Buffer;
}

/** How resolving and pulling an image function's image came out (image-preparer.ts). */
export type ImageSettlement =
  | { ok: true; resolvedUri: string; sizeBytes: number }
  | { ok: false; reason: { code: string; message: string } };

export interface FunctionStore {
  /** Returns undefined when the name is already taken in this account. */
  create(fn: NewFunction): Promise<FunctionVersion | undefined>;
  get(accountId: string, name: string, version: string): Promise<FunctionVersion | undefined>;
  list(accountId: string, marker: string | undefined, maxItems: number): Promise<Page<FunctionVersion>>;
  /** Updates $LATEST's code; undefined if the function does not exist. */
  updateCode(
    accountId: string,
    name: string,
    code: NewCode,
    expectedRevision?: string,
  ): Promise<FunctionVersion | undefined>;
  updateConfiguration(
    accountId: string,
    name: string,
    patch: ConfigurationPatch,
    expectedRevision?: string,
  ): Promise<FunctionVersion | undefined>;
  /** Snapshots $LATEST as the next version, or returns the newest version if $LATEST is unchanged since. */
  publish(
    accountId: string,
    name: string,
    opts: { description?: string; expectedRevision?: string; expectedCodeSha256Hex?: string },
  ): Promise<FunctionVersion | undefined>;
  listVersions(
    accountId: string,
    name: string,
    marker: string | undefined,
    maxItems: number,
  ): Promise<Page<FunctionVersion>>;
  /** Deletes the function and all its versions; false when it did not exist. */
  delete(accountId: string, name: string): Promise<boolean>;
  /** Deletes one published version; false when it did not exist. */
  deleteVersion(accountId: string, name: string, version: string): Promise<boolean>;
  getCode(sha256Hex: string): Promise<Buffer | undefined>;
  /**
   * Points $LATEST of an image function at a new image: InProgress until settled, and
   * meanwhile still running the image it resolved before.
   */
  updateImage(
    accountId: string,
    name: string,
    image: FunctionVersion["image"] & object,
    expectedRevision?: string,
  ): Promise<FunctionVersion | undefined>;
  /**
   * Records how $LATEST's image at `revisionId` settled: resolved (Active, Successful,
   * a new RevisionId) or failed (Failed if it never ran, else its update Failed).
   * Undefined when $LATEST has changed since (the settlement is stale).
   */
  settleImage(
    accountId: string,
    name: string,
    revisionId: string,
    outcome: ImageSettlement,
  ): Promise<FunctionVersion | undefined>;
  /** Image functions whose $LATEST is Pending or being updated, oldest first. */
  unsettledImages(limit: number): Promise<FunctionVersion[]>;
}

async function storeCode(c: BoundedDb, code: NewCode): Promise<void> {
  await c.query(
    "INSERT INTO code_blobs (sha256_hex, size, zip) VALUES ($1, $2, $3) ON CONFLICT (sha256_hex) DO NOTHING",
    [code.codeSha256Hex, code.zip.length, code.zip],
  );
}

/** Locks the function's $LATEST row and checks the caller's RevisionId against it. */
async function lockLatest(
  c: BoundedDb,
  accountId: string,
  name: string,
  expectedRevision?: string,
): Promise<FunctionVersion | undefined> {
  const res = await c.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM function_versions
     WHERE account_id = $1 AND function_name = $2 AND version = $3 FOR UPDATE`,
    [accountId, name, LATEST],
  );
  const row = res.rows[0];
  if (!row) return undefined;
  if (expectedRevision !== undefined && row.revision_id !== expectedRevision) throw new RevisionMismatchError();
  return toVersion(row);
}

async function replaceLatest(c: BoundedDb, next: FunctionVersion): Promise<FunctionVersion> {
  await c.query("DELETE FROM function_versions WHERE account_id = $1 AND function_name = $2 AND version = $3", [
    next.accountId,
    next.name,
    LATEST,
  ]);
  const res = await c.query<VersionRow>(INSERT_VERSION, versionValues(next));
  return toVersion(res.rows[0] as VersionRow);
}

/** `statementTimeoutMs`: how long one statement may take (see pg-helpers.ts). */
export function createPgFunctionStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): FunctionStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    create(fn) {
      return db.transaction(async (c) => {
        const made = await c.query(
          "INSERT INTO functions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING name",
          [fn.accountId, fn.name],
        );
        if (made.rowCount !== 1) return undefined;
        if (fn.zip) await storeCode(c, { zip: fn.zip, codeSha256Hex: fn.codeSha256Hex });
        const res = await c.query<VersionRow>(
          INSERT_VERSION,
          versionValues({ ...fn, version: LATEST, codeSize: fn.zip?.length ?? 0 }),
        );
        return toVersion(res.rows[0] as VersionRow);
      });
    },
    async get(accountId, name, version) {
      const res = await db.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM function_versions WHERE account_id = $1 AND function_name = $2 AND version = $3`,
        [accountId, name, version],
      );
      return res.rows[0] && toVersion(res.rows[0]);
    },
    async list(accountId, marker, maxItems) {
      const res = await db.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM function_versions
         WHERE account_id = $1 AND version = $2 AND ($3::text IS NULL OR function_name > $3)
         ORDER BY function_name LIMIT $4`,
        [accountId, LATEST, marker ?? null, maxItems + 1],
      );
      return pageOf(res.rows, maxItems, toVersion, (v) => v.name);
    },
    async updateCode(accountId, name, code, expectedRevision) {
      const updated = await db.transaction(async (c) => {
        const current = await lockLatest(c, accountId, name, expectedRevision);
        if (!current) return undefined;
        await storeCode(c, code);
        return replaceLatest(c, {
          ...current,
          codeSha256Hex: code.codeSha256Hex,
          codeSize: code.zip.length,
          revisionId: randomUUID(),
        });
      });
      await collectCodeGarbage(db);
      return updated;
    },
    async updateConfiguration(accountId, name, patch, expectedRevision) {
      const updated = await db.transaction(async (c) => {
        const current = await lockLatest(c, accountId, name, expectedRevision);
        if (!current) return undefined;
        return replaceLatest(c, { ...current, ...patch, revisionId: randomUUID() });
      });
      // Layers replaced may have been the last users of a deleted layer version's content.
      if (patch.layers) await collectCodeGarbage(db);
      return updated;
    },
    publish(accountId, name, opts) {
      return db.transaction(async (c) => {
        const fnRow = await c.query<{ last_version: number; published_revision: string | null }>(
          "SELECT last_version, published_revision FROM functions WHERE account_id = $1 AND name = $2 FOR UPDATE",
          [accountId, name],
        );
        const meta = fnRow.rows[0];
        const latest = meta && (await lockLatest(c, accountId, name, opts.expectedRevision));
        if (!meta || !latest) return undefined;
        if (opts.expectedCodeSha256Hex !== undefined && opts.expectedCodeSha256Hex !== latest.codeSha256Hex) {
          throw new RevisionMismatchError();
        }
        if (meta.published_revision === latest.revisionId && meta.last_version > 0) {
          const existing = await c.query<VersionRow>(
            `SELECT ${VERSION_COLUMNS} FROM function_versions WHERE account_id = $1 AND function_name = $2 AND version = $3`,
            [accountId, name, String(meta.last_version)],
          );
          if (existing.rows[0]) return toVersion(existing.rows[0]);
        }
        const version = String(meta.last_version + 1);
        await c.query(
          "UPDATE functions SET last_version = last_version + 1, published_revision = $3 WHERE account_id = $1 AND name = $2",
          [accountId, name, latest.revisionId],
        );
        const res = await c.query<VersionRow>(
          INSERT_VERSION,
          versionValues({
            ...latest,
            version,
            description: opts.description ?? latest.description,
            revisionId: randomUUID(),
          }),
        );
        return toVersion(res.rows[0] as VersionRow);
      });
    },
    async listVersions(accountId, name, marker, maxItems) {
      // $LATEST first, then versions in numeric order; the marker is the last version returned.
      const res = await db.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM function_versions WHERE account_id = $1 AND function_name = $2
         ORDER BY CASE WHEN version = '$LATEST' THEN -1 ELSE version::bigint END`,
        [accountId, name],
      );
      const all = res.rows.map(toVersion);
      const start = marker ? all.findIndex((v) => v.version === marker) + 1 : 0;
      const items = all.slice(start, start + maxItems);
      const nextMarker = start + maxItems < all.length ? items[items.length - 1]?.version : undefined;
      return { items, nextMarker };
    },
    async delete(accountId, name) {
      const res = await db.query("DELETE FROM functions WHERE account_id = $1 AND name = $2", [accountId, name]);
      await collectCodeGarbage(db);
      return res.rowCount === 1;
    },
    async deleteVersion(accountId, name, version) {
      const res = await db.query(
        "DELETE FROM function_versions WHERE account_id = $1 AND function_name = $2 AND version = $3",
        [accountId, name, version],
      );
      await collectCodeGarbage(db);
      return res.rowCount === 1;
    },
    async updateImage(accountId, name, image, expectedRevision) {
      return db.transaction(async (c) => {
        const current = await lockLatest(c, accountId, name, expectedRevision);
        if (!current) return undefined;
        return replaceLatest(c, {
          ...current,
          image: { ...image, resolvedUri: current.image?.resolvedUri, sizeBytes: current.image?.sizeBytes },
          lastUpdate: { status: "InProgress", reason: { code: "Creating", message: "The function is being updated." } },
          revisionId: randomUUID(),
        });
      });
    },
    settleImage(accountId, name, revisionId, outcome) {
      return db.transaction(async (c) => {
        const current = await lockLatest(c, accountId, name);
        if (!current?.image || current.revisionId !== revisionId) return undefined;
        if (outcome.ok) {
          return replaceLatest(c, {
            ...current,
            image: { ...current.image, resolvedUri: outcome.resolvedUri, sizeBytes: outcome.sizeBytes },
            codeSha256Hex: outcome.resolvedUri.split("@sha256:")[1] ?? "",
            state: "Active",
            stateReason: undefined,
            lastUpdate: { status: "Successful" },
            revisionId: randomUUID(),
          });
        }
        const neverRan = current.state === "Pending";
        return replaceLatest(c, {
          ...current,
          ...(neverRan ? { state: "Failed" as const, stateReason: outcome.reason } : {}),
          lastUpdate: { status: "Failed", reason: outcome.reason },
          revisionId: randomUUID(),
        });
      });
    },
    async unsettledImages(limit) {
      const res = await db.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM function_versions
         WHERE package_type = 'Image' AND version = $1
           AND (state = 'Pending' OR last_update ->> 'status' = 'InProgress')
         ORDER BY last_modified LIMIT $2`,
        [LATEST, limit],
      );
      return res.rows.map(toVersion);
    },
    async getCode(sha256Hex) {
      const res = await db.query<{ zip: Buffer }>("SELECT zip FROM code_blobs WHERE sha256_hex = $1", [sha256Hex]);
      return res.rows[0]?.zip;
    },
  };
}
