// Functions, their versions and their content-addressed code. The only place their
// SQL lives. Creating a function stores its code and its $LATEST version in one
// transaction, so a refused or failed create leaves nothing behind.

import { LATEST } from "@stratus/shared";
import type { Pool, PoolClient } from "pg";
import type { FunctionVersion, Page } from "../domain.js";

export interface NewFunction extends Omit<FunctionVersion, "version" | "lastModified"> {
  zip: Buffer;
}

export interface FunctionStore {
  /** Returns undefined when the name is already taken in this account. */
  create(fn: NewFunction): Promise<FunctionVersion | undefined>;
  get(accountId: string, name: string, version: string): Promise<FunctionVersion | undefined>;
  list(accountId: string, marker: string | undefined, maxItems: number): Promise<Page<FunctionVersion>>;
  /** Deletes the function and all its versions; false when it did not exist. */
  delete(accountId: string, name: string): Promise<boolean>;
  getCode(sha256Hex: string): Promise<Buffer | undefined>;
}

const COLUMNS = `account_id, function_name, version, runtime, handler, role, description, memory_mb,
  timeout_seconds, ephemeral_storage_mb, environment, code_sha256_hex, code_size, revision_id, state, last_modified`;

interface Row {
  account_id: string;
  function_name: string;
  version: string;
  runtime: string;
  handler: string;
  role: string;
  description: string;
  memory_mb: number;
  timeout_seconds: number;
  ephemeral_storage_mb: number;
  environment: Record<string, string>;
  code_sha256_hex: string;
  code_size: string;
  revision_id: string;
  state: FunctionVersion["state"];
  last_modified: Date;
}

function toVersion(r: Row): FunctionVersion {
  return {
    accountId: r.account_id,
    name: r.function_name,
    version: r.version,
    runtime: r.runtime,
    handler: r.handler,
    role: r.role,
    description: r.description,
    memoryMb: r.memory_mb,
    timeoutSeconds: r.timeout_seconds,
    ephemeralStorageMb: r.ephemeral_storage_mb,
    environment: r.environment,
    codeSha256Hex: r.code_sha256_hex,
    codeSize: Number(r.code_size),
    revisionId: r.revision_id,
    state: r.state,
    lastModified: r.last_modified,
  };
}

async function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const out = await work(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  } finally {
    client.release();
  }
}

export function createPgFunctionStore(pool: Pool): FunctionStore {
  return {
    create(fn) {
      return inTransaction(pool, async (c) => {
        const made = await c.query(
          "INSERT INTO functions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING name",
          [fn.accountId, fn.name],
        );
        if (made.rowCount !== 1) return undefined;
        await c.query(
          "INSERT INTO code_blobs (sha256_hex, size, zip) VALUES ($1, $2, $3) ON CONFLICT (sha256_hex) DO NOTHING",
          [fn.codeSha256Hex, fn.zip.length, fn.zip],
        );
        const res = await c.query<Row>(
          `INSERT INTO function_versions (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15, now())
           RETURNING ${COLUMNS}`,
          [
            fn.accountId,
            fn.name,
            LATEST,
            fn.runtime,
            fn.handler,
            fn.role,
            fn.description,
            fn.memoryMb,
            fn.timeoutSeconds,
            fn.ephemeralStorageMb,
            JSON.stringify(fn.environment),
            fn.codeSha256Hex,
            fn.codeSize,
            fn.revisionId,
            fn.state,
          ],
        );
        return toVersion(res.rows[0] as Row);
      });
    },
    async get(accountId, name, version) {
      const res = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM function_versions WHERE account_id = $1 AND function_name = $2 AND version = $3`,
        [accountId, name, version],
      );
      return res.rows[0] && toVersion(res.rows[0]);
    },
    async list(accountId, marker, maxItems) {
      const res = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM function_versions
         WHERE account_id = $1 AND version = $2 AND ($3::text IS NULL OR function_name > $3)
         ORDER BY function_name LIMIT $4`,
        [accountId, LATEST, marker ?? null, maxItems + 1],
      );
      const items = res.rows.slice(0, maxItems).map(toVersion);
      const nextMarker = res.rows.length > maxItems ? items[items.length - 1]?.name : undefined;
      return { items, nextMarker };
    },
    async delete(accountId, name) {
      const res = await pool.query("DELETE FROM functions WHERE account_id = $1 AND name = $2", [accountId, name]);
      return res.rowCount === 1;
    },
    async getCode(sha256Hex) {
      const res = await pool.query<{ zip: Buffer }>("SELECT zip FROM code_blobs WHERE sha256_hex = $1", [sha256Hex]);
      return res.rows[0]?.zip;
    },
  };
}
