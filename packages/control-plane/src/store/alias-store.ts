// Aliases: named pointers to a version, optionally with one additional weighted
// version. The only place their SQL lives.
import { randomUUID } from "node:crypto";
import type { Pool } from "pg";
import { type Alias, type Page, RevisionMismatchError } from "../domain.js";
import { pageOf } from "./paging.js";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export type NewAlias = Omit<Alias, "revisionId">;
export type AliasPatch = Partial<Pick<Alias, "functionVersion" | "description">> & {
  /** null removes the routing configuration. */
  additional?: Alias["additional"] | null;
};

export interface AliasStore {
  /** Undefined when an alias of that name exists already. */
  create(alias: NewAlias): Promise<Alias | undefined>;
  get(accountId: string, functionName: string, name: string): Promise<Alias | undefined>;
  update(
    accountId: string,
    functionName: string,
    name: string,
    patch: AliasPatch,
    expectedRevision?: string,
  ): Promise<Alias | undefined>;
  delete(accountId: string, functionName: string, name: string): Promise<boolean>;
  list(
    accountId: string,
    functionName: string,
    version: string | undefined,
    marker: string | undefined,
    maxItems: number,
  ): Promise<Page<Alias>>;
  /** Names of aliases that route to this version (as main or additional version). */
  referencing(accountId: string, functionName: string, version: string): Promise<string[]>;
}

interface Row {
  account_id: string;
  function_name: string;
  name: string;
  function_version: string;
  description: string;
  additional_version: string | null;
  additional_weight: number | null;
  revision_id: string;
}

const COLUMNS =
  "account_id, function_name, name, function_version, description, additional_version, additional_weight, revision_id";

function toAlias(r: Row): Alias {
  const alias: Alias = {
    accountId: r.account_id,
    functionName: r.function_name,
    name: r.name,
    functionVersion: r.function_version,
    description: r.description,
    revisionId: r.revision_id,
  };
  if (r.additional_version !== null && r.additional_weight !== null) {
    alias.additional = { version: r.additional_version, weight: r.additional_weight };
  }
  return alias;
}

/** `statementTimeoutMs`: how long one statement may take (see pg-helpers.ts). */
export function createPgAliasStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): AliasStore {
  const db = boundedDb(pool, statementTimeoutMs);
  const get = async (accountId: string, functionName: string, name: string) => {
    const res = await db.query<Row>(
      `SELECT ${COLUMNS} FROM aliases WHERE account_id = $1 AND function_name = $2 AND name = $3`,
      [accountId, functionName, name],
    );
    return res.rows[0] && toAlias(res.rows[0]);
  };
  return {
    async create(a) {
      const res = await db.query<Row>(
        `INSERT INTO aliases (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
         ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [
          a.accountId,
          a.functionName,
          a.name,
          a.functionVersion,
          a.description,
          a.additional?.version ?? null,
          a.additional?.weight ?? null,
          randomUUID(),
        ],
      );
      return res.rows[0] && toAlias(res.rows[0]);
    },
    get,
    update(accountId, functionName, name, patch, expectedRevision) {
      return db.transaction(async (c) => {
        const res = await c.query<Row>(
          `SELECT ${COLUMNS} FROM aliases WHERE account_id = $1 AND function_name = $2 AND name = $3 FOR UPDATE`,
          [accountId, functionName, name],
        );
        const row = res.rows[0];
        if (!row) return undefined;
        if (expectedRevision !== undefined && row.revision_id !== expectedRevision) throw new RevisionMismatchError();
        const current = toAlias(row);
        const additional = patch.additional === undefined ? current.additional : (patch.additional ?? undefined);
        const updated = await c.query<Row>(
          `UPDATE aliases SET function_version = $4, description = $5, additional_version = $6,
             additional_weight = $7, revision_id = $8
           WHERE account_id = $1 AND function_name = $2 AND name = $3 RETURNING ${COLUMNS}`,
          [
            accountId,
            functionName,
            name,
            patch.functionVersion ?? current.functionVersion,
            patch.description ?? current.description,
            additional?.version ?? null,
            additional?.weight ?? null,
            randomUUID(),
          ],
        );
        return toAlias(updated.rows[0] as Row);
      });
    },
    async delete(accountId, functionName, name) {
      const res = await db.query("DELETE FROM aliases WHERE account_id = $1 AND function_name = $2 AND name = $3", [
        accountId,
        functionName,
        name,
      ]);
      return res.rowCount === 1;
    },
    async list(accountId, functionName, version, marker, maxItems) {
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM aliases WHERE account_id = $1 AND function_name = $2
           AND ($3::text IS NULL OR function_version = $3 OR additional_version = $3)
           AND ($4::text IS NULL OR name > $4)
         ORDER BY name LIMIT $5`,
        [accountId, functionName, version ?? null, marker ?? null, maxItems + 1],
      );
      return pageOf(res.rows, maxItems, toAlias, (a) => a.name);
    },
    async referencing(accountId, functionName, version) {
      const res = await db.query<{ name: string }>(
        `SELECT name FROM aliases WHERE account_id = $1 AND function_name = $2
           AND (function_version = $3 OR additional_version = $3) ORDER BY name`,
        [accountId, functionName, version],
      );
      return res.rows.map((r) => r.name);
    },
  };
}
