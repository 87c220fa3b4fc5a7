// Function URL configs: one per function and qualifier, found by their URL id on every
// request to a URL. The only place their SQL lives.
import type { Pool } from "pg";
import type { Cors, FunctionUrlConfig } from "../url-config.js";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export type NewUrlConfig = Omit<FunctionUrlConfig, "createdAt" | "lastModified">;
export type UrlConfigPatch = Partial<Pick<FunctionUrlConfig, "authType" | "invokeMode">> & {
  /** null removes the CORS rules. */
  cors?: Cors | null;
};

export interface UrlStore {
  /**
   * Undefined when the function (or its alias) already has a URL; throws
   * UrlTargetGoneError when the function or alias does not exist (any more).
   */
  create(config: NewUrlConfig): Promise<FunctionUrlConfig | undefined>;
  get(accountId: string, functionName: string, qualifier: string | undefined): Promise<FunctionUrlConfig | undefined>;
  byId(urlId: string): Promise<FunctionUrlConfig | undefined>;
  update(
    accountId: string,
    functionName: string,
    qualifier: string | undefined,
    patch: UrlConfigPatch,
  ): Promise<FunctionUrlConfig | undefined>;
  delete(
    accountId: string,
    functionName: string,
    qualifier: string | undefined,
  ): Promise<FunctionUrlConfig | undefined>;
  /** Ordered by URL id; `marker` is the last id of the previous page. */
  list(
    accountId: string,
    functionName: string,
    marker: string | undefined,
    maxItems: number,
  ): Promise<FunctionUrlConfig[]>;
}

/** The function or alias a new URL names is not there: a 404, not a conflict. */
export class UrlTargetGoneError extends Error {}

interface Row {
  url_id: string;
  account_id: string;
  function_name: string;
  qualifier: string;
  auth_type: FunctionUrlConfig["authType"];
  cors: Cors | null;
  invoke_mode: FunctionUrlConfig["invokeMode"];
  created_at: Date;
  last_modified: Date;
}

const COLUMNS = "url_id, account_id, function_name, qualifier, auth_type, cors, invoke_mode, created_at, last_modified";

function toConfig(r: Row): FunctionUrlConfig {
  return {
    urlId: r.url_id,
    accountId: r.account_id,
    functionName: r.function_name,
    ...(r.qualifier ? { qualifier: r.qualifier } : {}),
    authType: r.auth_type,
    ...(r.cors ? { cors: r.cors } : {}),
    invokeMode: r.invoke_mode,
    createdAt: r.created_at,
    lastModified: r.last_modified,
  };
}

const FOREIGN_KEY_VIOLATION = "23503";
const UNIQUE_VIOLATION = "23505";
const codeOf = (err: unknown) => (err as { code?: unknown; constraint?: unknown }).code;

/** `statementTimeoutMs`: how long one statement may take (see pg-helpers.ts). */
export function createPgUrlStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): UrlStore {
  const db = boundedDb(pool, statementTimeoutMs);
  const one = (rows: Row[]) => (rows[0] ? toConfig(rows[0]) : undefined);
  const KEY = "account_id = $1 AND function_name = $2 AND qualifier = $3";
  return {
    async create(c) {
      try {
        const res = await db.query<Row>(
          `INSERT INTO function_urls (url_id, account_id, function_name, qualifier, alias_name, auth_type, cors, invoke_mode)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
          [
            c.urlId,
            c.accountId,
            c.functionName,
            c.qualifier ?? "",
            c.qualifier ?? null,
            c.authType,
            c.cors ? JSON.stringify(c.cors) : null,
            c.invokeMode,
          ],
        );
        return one(res.rows);
      } catch (err) {
        if (codeOf(err) === FOREIGN_KEY_VIOLATION) throw new UrlTargetGoneError();
        // The (function, qualifier) pair is taken; a clash of fresh random ids is not worth a retry path.
        if (codeOf(err) === UNIQUE_VIOLATION) return undefined;
        throw err;
      }
    },
    async get(accountId, functionName, qualifier) {
      const res = await db.query<Row>(`SELECT ${COLUMNS} FROM function_urls WHERE ${KEY}`, [
        accountId,
        functionName,
        qualifier ?? "",
      ]);
      return one(res.rows);
    },
    async byId(urlId) {
      const res = await db.query<Row>(`SELECT ${COLUMNS} FROM function_urls WHERE url_id = $1`, [urlId]);
      return one(res.rows);
    },
    async update(accountId, functionName, qualifier, patch) {
      const res = await db.query<Row>(
        `UPDATE function_urls SET
           auth_type = COALESCE($4, auth_type),
           invoke_mode = COALESCE($5, invoke_mode),
           cors = CASE WHEN $6::boolean THEN $7::jsonb ELSE cors END,
           last_modified = now()
         WHERE ${KEY} RETURNING ${COLUMNS}`,
        [
          accountId,
          functionName,
          qualifier ?? "",
          patch.authType ?? null,
          patch.invokeMode ?? null,
          patch.cors !== undefined,
          patch.cors ? JSON.stringify(patch.cors) : null,
        ],
      );
      return one(res.rows);
    },
    async delete(accountId, functionName, qualifier) {
      const res = await db.query<Row>(`DELETE FROM function_urls WHERE ${KEY} RETURNING ${COLUMNS}`, [
        accountId,
        functionName,
        qualifier ?? "",
      ]);
      return one(res.rows);
    },
    async list(accountId, functionName, marker, maxItems) {
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM function_urls WHERE account_id = $1 AND function_name = $2
           AND ($3::text IS NULL OR url_id > $3) ORDER BY url_id LIMIT $4`,
        [accountId, functionName, marker ?? null, maxItems],
      );
      return res.rows.map(toConfig);
    },
  };
}
