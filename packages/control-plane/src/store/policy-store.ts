// Resource-based policies of functions, versions and aliases. The only place their
// SQL lives. An edit runs in one transaction holding the function's row (so edits of
// one function's policies queue behind each other, and a function, version or alias
// cannot be deleted under one); a refused edit stores nothing.
import { randomUUID } from "node:crypto";
import type { Pool } from "pg";
import type { FunctionPolicy, PolicyStatement } from "../policy.js";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

/** What an edit found: the policy it left (undefined once empty), or what was missing. */
export type PolicyEdit = { missing: "function" | "target" } | { missing?: undefined; policy?: FunctionPolicy };

export interface PolicyStore {
  /** `qualifier`: "" for the unqualified function, else a version number or an alias name. */
  get(accountId: string, functionName: string, qualifier: string): Promise<FunctionPolicy | undefined>;
  /**
   * Stores what `edit` makes of the current policy (undefined when there is none) under
   * a new revision; an empty list deletes the policy. Whatever `edit` throws is thrown
   * with nothing stored. Without the function, version or alias, `edit` is not called.
   */
  edit(
    accountId: string,
    functionName: string,
    qualifier: string,
    edit: (current: FunctionPolicy | undefined) => PolicyStatement[],
  ): Promise<PolicyEdit>;
}

interface Row {
  account_id: string;
  function_name: string;
  qualifier: string;
  statements: PolicyStatement[];
  revision_id: string;
}

const COLUMNS = "account_id, function_name, qualifier, statements, revision_id";

const toPolicy = (r: Row): FunctionPolicy => ({
  accountId: r.account_id,
  functionName: r.function_name,
  qualifier: r.qualifier,
  statements: r.statements,
  revisionId: r.revision_id,
});

/** Holds the function's row against other edits, and the version or alias against deletion. */
async function holdTarget(c: BoundedDb, accountId: string, name: string, qualifier: string) {
  const fn = await c.query("SELECT 1 FROM functions WHERE account_id = $1 AND name = $2 FOR NO KEY UPDATE", [
    accountId,
    name,
  ]);
  if (fn.rowCount !== 1) return "function";
  if (qualifier === "") return undefined;
  const target = /^[0-9]+$/.test(qualifier)
    ? "SELECT 1 FROM function_versions WHERE account_id = $1 AND function_name = $2 AND version = $3 FOR KEY SHARE"
    : "SELECT 1 FROM aliases WHERE account_id = $1 AND function_name = $2 AND name = $3 FOR KEY SHARE";
  const found = await c.query(target, [accountId, name, qualifier]);
  return found.rowCount === 1 ? undefined : "target";
}

/** `statementTimeoutMs`: how long one statement may take (see pg-helpers.ts). */
export function createPgPolicyStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): PolicyStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    async get(accountId, functionName, qualifier) {
      const res = await db.query<Row>(
        `SELECT ${COLUMNS} FROM function_policies WHERE account_id = $1 AND function_name = $2 AND qualifier = $3`,
        [accountId, functionName, qualifier],
      );
      return res.rows[0] && toPolicy(res.rows[0]);
    },
    edit(accountId, functionName, qualifier, edit) {
      return db.transaction(async (c): Promise<PolicyEdit> => {
        const missing = await holdTarget(c, accountId, functionName, qualifier);
        if (missing) return { missing };
        const res = await c.query<Row>(
          `SELECT ${COLUMNS} FROM function_policies
           WHERE account_id = $1 AND function_name = $2 AND qualifier = $3 FOR UPDATE`,
          [accountId, functionName, qualifier],
        );
        const statements = edit(res.rows[0] && toPolicy(res.rows[0]));
        const key = [accountId, functionName, qualifier];
        if (statements.length === 0) {
          await c.query(
            "DELETE FROM function_policies WHERE account_id = $1 AND function_name = $2 AND qualifier = $3",
            key,
          );
          return {};
        }
        const saved = await c.query<Row>(
          `INSERT INTO function_policies (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (account_id, function_name, qualifier)
           DO UPDATE SET statements = EXCLUDED.statements, revision_id = EXCLUDED.revision_id
           RETURNING ${COLUMNS}`,
          [...key, JSON.stringify(statements), randomUUID()],
        );
        return { policy: toPolicy(saved.rows[0] as Row) };
      });
    },
  };
}
