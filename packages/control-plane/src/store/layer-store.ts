// Layers and their versions: the only place their SQL lives. A version's zip is
// stored content-addressed in code_blobs in the same transaction as its row, so a
// failed publish leaves nothing; a deleted version's zip is collected only once no
// function version pins it (code-garbage.ts).
import { randomUUID } from "node:crypto";
import type { Pool } from "pg";
import { type LayerStatement, type LayerVersion, type Page, RevisionMismatchError } from "../domain.js";
import { collectCodeGarbage } from "./code-garbage.js";
import { pageOf } from "./paging.js";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export interface NewLayerVersion extends Omit<LayerVersion, "version" | "policy" | "policyRevisionId" | "createdDate"> {
  zip: Buffer;
}

/** Versions that list this runtime or architecture among their compatible ones. */
export interface LayerFilter {
  runtime?: string;
  architecture?: string;
}

export interface LayerStore {
  publish(v: NewLayerVersion): Promise<LayerVersion>;
  get(accountId: string, name: string, version: number): Promise<LayerVersion | undefined>;
  /** The layer's versions matching `filter`, newest first; the marker is the last version returned. */
  listVersions(
    accountId: string,
    name: string,
    filter: LayerFilter,
    marker: string | undefined,
    maxItems: number,
  ): Promise<Page<LayerVersion>>;
  /** Each layer's newest version matching `filter`, by layer name; the marker is the last name returned. */
  listLayers(
    accountId: string,
    filter: LayerFilter,
    marker: string | undefined,
    maxItems: number,
  ): Promise<Page<LayerVersion>>;
  /** Deletes one version (nothing when it does not exist). */
  deleteVersion(accountId: string, name: string, version: number): Promise<void>;
  /** Replaces the version's policy with `change(policy)` under its row lock; undefined when the version does not exist. */
  updatePolicy(
    accountId: string,
    name: string,
    version: number,
    change: (policy: LayerStatement[]) => LayerStatement[],
    expectedRevision?: string,
  ): Promise<LayerVersion | undefined>;
}

const COLUMNS = `account_id, layer_name, version, description, license_info, compatible_runtimes,
  compatible_architectures, sha256_hex, code_size, unzipped_size, policy, policy_revision, created_at`;

interface Row {
  account_id: string;
  layer_name: string;
  version: number;
  description: string;
  license_info: string | null;
  compatible_runtimes: string[];
  compatible_architectures: string[];
  sha256_hex: string;
  code_size: string;
  unzipped_size: string;
  policy: LayerStatement[];
  policy_revision: string;
  created_at: Date;
}

function toLayerVersion(r: Row): LayerVersion {
  return {
    accountId: r.account_id,
    layerName: r.layer_name,
    version: r.version,
    description: r.description,
    ...(r.license_info !== null ? { licenseInfo: r.license_info } : {}),
    compatibleRuntimes: r.compatible_runtimes,
    compatibleArchitectures: r.compatible_architectures,
    sha256Hex: r.sha256_hex,
    codeSize: Number(r.code_size),
    unzippedSize: Number(r.unzipped_size),
    policy: r.policy,
    policyRevisionId: r.policy_revision,
    createdDate: r.created_at,
  };
}

/** SQL condition on `filter`, its values numbered from `from`. */
function matching(filter: LayerFilter, from: number): { sql: string; values: string[] } {
  const parts: string[] = [];
  const values: string[] = [];
  if (filter.runtime !== undefined) {
    values.push(JSON.stringify([filter.runtime]));
    parts.push(`compatible_runtimes @> $${from + values.length - 1}::jsonb`);
  }
  if (filter.architecture !== undefined) {
    values.push(JSON.stringify([filter.architecture]));
    parts.push(`compatible_architectures @> $${from + values.length - 1}::jsonb`);
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(""), values };
}

async function lockVersion(c: BoundedDb, accountId: string, name: string, version: number) {
  const res = await c.query<Row>(
    `SELECT ${COLUMNS} FROM layer_versions WHERE account_id = $1 AND layer_name = $2 AND version = $3 FOR UPDATE`,
    [accountId, name, version],
  );
  return res.rows[0] && toLayerVersion(res.rows[0]);
}

export function createPgLayerStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): LayerStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    publish(v) {
      return db.transaction(async (c) => {
        await c.query(
          "INSERT INTO code_blobs (sha256_hex, size, zip) VALUES ($1, $2, $3) ON CONFLICT (sha256_hex) DO NOTHING",
          [v.sha256Hex, v.zip.length, v.zip],
        );
        const counted = await c.query<{ last_version: number }>(
          `INSERT INTO layers (account_id, name, last_version) VALUES ($1, $2, 1)
           ON CONFLICT (account_id, name) DO UPDATE SET last_version = layers.last_version + 1
           RETURNING last_version`,
          [v.accountId, v.layerName],
        );
        const res = await c.query<Row>(
          `INSERT INTO layer_versions (account_id, layer_name, version, description, license_info,
             compatible_runtimes, compatible_architectures, sha256_hex, code_size, unzipped_size, policy_revision)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
          [
            v.accountId,
            v.layerName,
            counted.rows[0]?.last_version,
            v.description,
            v.licenseInfo ?? null,
            JSON.stringify(v.compatibleRuntimes),
            JSON.stringify(v.compatibleArchitectures),
            v.sha256Hex,
            v.codeSize,
            v.unzippedSize,
            randomUUID(),
          ],
        );
        return toLayerVersion(res.rows[0] as Row);
      });
    },
    async get(accountId, name, version) {
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM layer_versions WHERE account_id = $1 AND layer_name = $2 AND version = $3`,
        [accountId, name, version],
      );
      return res.rows[0] && toLayerVersion(res.rows[0]);
    },
    async listVersions(accountId, name, filter, marker, maxItems) {
      const where = matching(filter, 5);
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM layer_versions
         WHERE account_id = $1 AND layer_name = $2 AND ($3::int IS NULL OR version < $3)${where.sql}
         ORDER BY version DESC LIMIT $4`,
        [
          accountId,
          name,
          marker !== undefined && /^[0-9]{1,10}$/.test(marker) ? Number(marker) : null,
          maxItems + 1,
          ...where.values,
        ],
      );
      return pageOf(res.rows, maxItems, toLayerVersion, (v) => String(v.version));
    },
    async listLayers(accountId, filter, marker, maxItems) {
      const where = matching(filter, 4);
      const res = await db.query<Row>(
        `SELECT DISTINCT ON (layer_name) ${COLUMNS} FROM layer_versions
         WHERE account_id = $1 AND ($2::text IS NULL OR layer_name > $2)${where.sql}
         ORDER BY layer_name, version DESC LIMIT $3`,
        [accountId, marker ?? null, maxItems + 1, ...where.values],
      );
      return pageOf(res.rows, maxItems, toLayerVersion, (v) => v.layerName);
    },
    async deleteVersion(accountId, name, version) {
      await db.query("DELETE FROM layer_versions WHERE account_id = $1 AND layer_name = $2 AND version = $3", [
        accountId,
        name,
        version,
      ]);
      await collectCodeGarbage(db);
    },
    updatePolicy(accountId, name, version, change, expectedRevision) {
      return db.transaction(async (c) => {
        const current = await lockVersion(c, accountId, name, version);
        if (!current) return undefined;
        if (expectedRevision !== undefined && expectedRevision !== current.policyRevisionId) {
          throw new RevisionMismatchError();
        }
        const res = await c.query<Row>(
          `UPDATE layer_versions SET policy = $4, policy_revision = $5
           WHERE account_id = $1 AND layer_name = $2 AND version = $3 RETURNING ${COLUMNS}`,
          [accountId, name, version, JSON.stringify(change(current.policy)), randomUUID()],
        );
        return toLayerVersion(res.rows[0] as Row);
      });
    },
  };
}
