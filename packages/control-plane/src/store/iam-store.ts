// IAM roles, their inline policies, customer managed policies and attachments, per
// account (migration 030). Names are matched without regard to case, as IAM's are;
// a role or policy keeps the case it was created with.
import type { Pool } from "pg";
import type { ManagedPolicy, NamePage, Role } from "../iam/iam-types.js";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export type DeleteOutcome = "deleted" | "missing" | "conflict";

export interface IamStore {
  /** False when a role of that name (in any case) exists. */
  createRole(role: Role): Promise<boolean>;
  getRole(accountId: string, name: string): Promise<Role | undefined>;
  /** Refused (conflict) while inline policies are embedded in it or managed ones attached. */
  deleteRole(accountId: string, name: string): Promise<DeleteOutcome>;
  listRoles(accountId: string, pathPrefix: string, after: string | undefined, max: number): Promise<NamePage<Role>>;
  hasRoles(accountId: string): Promise<boolean>;
  /** Creates or replaces; false when the role does not exist. */
  putRolePolicy(accountId: string, role: string, name: string, document: string): Promise<boolean>;
  getRolePolicy(accountId: string, role: string, name: string): Promise<string | undefined>;
  deleteRolePolicy(accountId: string, role: string, name: string): Promise<boolean>;
  listRolePolicies(accountId: string, role: string, after: string | undefined, max: number): Promise<NamePage<string>>;
  createPolicy(policy: ManagedPolicy): Promise<boolean>;
  getPolicy(accountId: string, name: string): Promise<ManagedPolicy | undefined>;
  /** Refused (conflict) while attached to a role or a user. */
  deletePolicy(accountId: string, name: string): Promise<DeleteOutcome>;
  listPolicies(
    accountId: string,
    opts: { pathPrefix: string; onlyAttached: boolean },
    after: string | undefined,
    max: number,
  ): Promise<NamePage<ManagedPolicy>>;
  /** Idempotent; false when the role or the policy does not exist. */
  attach(accountId: string, role: string, policy: string): Promise<boolean>;
  /** False when the policy was not attached to the role. */
  detach(accountId: string, role: string, policy: string): Promise<boolean>;
  listAttached(
    accountId: string,
    role: string,
    after: string | undefined,
    max: number,
  ): Promise<NamePage<ManagedPolicy>>;
  /** The documents of every policy of the role, inline and attached; undefined when the role does not exist. */
  documentsOf(accountId: string, role: string): Promise<string[] | undefined>;
}

const ROLE_COLUMNS = "account_id, name, role_id, path, trust_policy, description, max_session_duration, created_at";
/** Whether managed policy `p` is attached to a role or a user (iam-user-store.ts). */
const ATTACHED = `(EXISTS (SELECT 1 FROM iam_role_attachments a WHERE a.account_id = p.account_id AND a.policy_name = p.name)
  OR EXISTS (SELECT 1 FROM iam_user_attachments a WHERE a.account_id = p.account_id AND a.policy_name = p.name))`;

export const POLICY_COLUMNS = `p.account_id, p.name, p.policy_id, p.path, p.description, p.document, p.created_at,
  ((SELECT count(*) FROM iam_role_attachments a WHERE a.account_id = p.account_id AND a.policy_name = p.name)
   + (SELECT count(*) FROM iam_user_attachments a WHERE a.account_id = p.account_id AND a.policy_name = p.name))::int AS attachments`;

interface RoleRow {
  account_id: string;
  name: string;
  role_id: string;
  path: string;
  trust_policy: string;
  description: string;
  max_session_duration: number;
  created_at: Date;
}

export interface PolicyRow {
  account_id: string;
  name: string;
  policy_id: string;
  path: string;
  description: string;
  document: string;
  created_at: Date;
  attachments: number;
}

const toRole = (r: RoleRow): Role => ({
  accountId: r.account_id,
  name: r.name,
  roleId: r.role_id,
  path: r.path,
  trustPolicy: r.trust_policy,
  description: r.description,
  maxSessionDuration: r.max_session_duration,
  createdAt: r.created_at,
});

export const toPolicy = (r: PolicyRow): ManagedPolicy => ({
  accountId: r.account_id,
  name: r.name,
  policyId: r.policy_id,
  path: r.path,
  description: r.description,
  document: r.document,
  createdAt: r.created_at,
  attachmentCount: r.attachments,
});

/** One page from rows fetched with one more than `max`: the extra row only tells that more follow. */
export function paged<R, T>(rows: R[], max: number, map: (r: R) => T, nameOf: (t: T) => string): NamePage<T> {
  const items = rows.slice(0, max).map(map);
  const last = items[items.length - 1];
  return rows.length > max && last !== undefined ? { items, after: nameOf(last) } : { items };
}

export function createPgIamStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): IamStore {
  const db = boundedDb(pool, statementTimeoutMs);
  /** The stored name of `accountId`'s role named `name` in any case. */
  const roleName = async (q: BoundedDb, accountId: string, name: string) =>
    (
      await q.query<{ name: string }>("SELECT name FROM iam_roles WHERE account_id = $1 AND lower(name) = lower($2)", [
        accountId,
        name,
      ])
    ).rows[0]?.name;
  const policyName = async (q: BoundedDb, accountId: string, name: string) =>
    (
      await q.query<{ name: string }>(
        "SELECT name FROM iam_policies WHERE account_id = $1 AND lower(name) = lower($2)",
        [accountId, name],
      )
    ).rows[0]?.name;
  return {
    async createRole(r) {
      const res = await db.query(
        `INSERT INTO iam_roles (${ROLE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [r.accountId, r.name, r.roleId, r.path, r.trustPolicy, r.description, r.maxSessionDuration, r.createdAt],
      );
      return res.rowCount === 1;
    },
    async getRole(accountId, name) {
      const res = await db.query<RoleRow>(
        `SELECT ${ROLE_COLUMNS} FROM iam_roles WHERE account_id = $1 AND lower(name) = lower($2)`,
        [accountId, name],
      );
      return res.rows[0] && toRole(res.rows[0]);
    },
    deleteRole: (accountId, name) =>
      db.transaction(async (q) => {
        const res = await q.query<{ name: string; used: boolean }>(
          `SELECT name, EXISTS (SELECT 1 FROM iam_role_policies p WHERE p.account_id = r.account_id AND p.role_name = r.name)
             OR EXISTS (SELECT 1 FROM iam_role_attachments a WHERE a.account_id = r.account_id AND a.role_name = r.name) AS used
           FROM iam_roles r WHERE account_id = $1 AND lower(name) = lower($2) FOR UPDATE`,
          [accountId, name],
        );
        const row = res.rows[0];
        if (!row) return "missing";
        if (row.used) return "conflict";
        await q.query("DELETE FROM iam_roles WHERE account_id = $1 AND name = $2", [accountId, row.name]);
        return "deleted";
      }),
    async listRoles(accountId, pathPrefix, after, max) {
      const res = await db.query<RoleRow>(
        `SELECT ${ROLE_COLUMNS} FROM iam_roles WHERE account_id = $1 AND starts_with(path, $2) AND ($3::text IS NULL OR lower(name) > lower($3))
         ORDER BY lower(name) LIMIT $4`,
        [accountId, pathPrefix, after ?? null, max + 1],
      );
      return paged(res.rows, max, toRole, (r) => r.name);
    },
    async hasRoles(accountId) {
      const res = await db.query("SELECT 1 FROM iam_roles WHERE account_id = $1 LIMIT 1", [accountId]);
      return (res.rowCount ?? 0) > 0;
    },
    async putRolePolicy(accountId, role, name, document) {
      const stored = await roleName(db, accountId, role);
      if (stored === undefined) return false;
      await db.query(
        `INSERT INTO iam_role_policies (account_id, role_name, name, document) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, role_name, name) DO UPDATE SET document = EXCLUDED.document`,
        [accountId, stored, name, document],
      );
      return true;
    },
    async getRolePolicy(accountId, role, name) {
      const res = await db.query<{ document: string }>(
        `SELECT p.document FROM iam_role_policies p JOIN iam_roles r ON r.account_id = p.account_id AND r.name = p.role_name
         WHERE p.account_id = $1 AND lower(r.name) = lower($2) AND p.name = $3`,
        [accountId, role, name],
      );
      return res.rows[0]?.document;
    },
    async deleteRolePolicy(accountId, role, name) {
      const res = await db.query(
        `DELETE FROM iam_role_policies p USING iam_roles r WHERE r.account_id = p.account_id AND r.name = p.role_name
         AND p.account_id = $1 AND lower(r.name) = lower($2) AND p.name = $3`,
        [accountId, role, name],
      );
      return res.rowCount === 1;
    },
    async listRolePolicies(accountId, role, after, max) {
      const res = await db.query<{ name: string }>(
        `SELECT p.name FROM iam_role_policies p JOIN iam_roles r ON r.account_id = p.account_id AND r.name = p.role_name
         WHERE p.account_id = $1 AND lower(r.name) = lower($2) AND ($3::text IS NULL OR p.name > $3) ORDER BY p.name LIMIT $4`,
        [accountId, role, after ?? null, max + 1],
      );
      return paged(
        res.rows,
        max,
        (r) => r.name,
        (n) => n,
      );
    },
    async createPolicy(p) {
      const res = await db.query(
        `INSERT INTO iam_policies (account_id, name, policy_id, path, description, document, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [p.accountId, p.name, p.policyId, p.path, p.description, p.document, p.createdAt],
      );
      return res.rowCount === 1;
    },
    async getPolicy(accountId, name) {
      const res = await db.query<PolicyRow>(
        `SELECT ${POLICY_COLUMNS} FROM iam_policies p WHERE p.account_id = $1 AND lower(p.name) = lower($2)`,
        [accountId, name],
      );
      return res.rows[0] && toPolicy(res.rows[0]);
    },
    deletePolicy: (accountId, name) =>
      db.transaction(async (q) => {
        const res = await q.query<{ name: string; used: boolean }>(
          `SELECT name, ${ATTACHED} AS used
           FROM iam_policies p WHERE account_id = $1 AND lower(name) = lower($2) FOR UPDATE`,
          [accountId, name],
        );
        const row = res.rows[0];
        if (!row) return "missing";
        if (row.used) return "conflict";
        await q.query("DELETE FROM iam_policies WHERE account_id = $1 AND name = $2", [accountId, row.name]);
        return "deleted";
      }),
    async listPolicies(accountId, opts, after, max) {
      const res = await db.query<PolicyRow>(
        `SELECT ${POLICY_COLUMNS} FROM iam_policies p WHERE p.account_id = $1 AND starts_with(p.path, $2)
         AND ($3::text IS NULL OR lower(p.name) > lower($3))
         AND (NOT $4 OR ${ATTACHED})
         ORDER BY lower(p.name) LIMIT $5`,
        [accountId, opts.pathPrefix, after ?? null, opts.onlyAttached, max + 1],
      );
      return paged(res.rows, max, toPolicy, (p) => p.name);
    },
    attach: (accountId, role, policy) =>
      db.transaction(async (q) => {
        const [r, p] = [await roleName(q, accountId, role), await policyName(q, accountId, policy)];
        if (r === undefined || p === undefined) return false;
        await q.query(
          "INSERT INTO iam_role_attachments (account_id, role_name, policy_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
          [accountId, r, p],
        );
        return true;
      }),
    async detach(accountId, role, policy) {
      const res = await db.query(
        `DELETE FROM iam_role_attachments WHERE account_id = $1 AND lower(role_name) = lower($2) AND lower(policy_name) = lower($3)`,
        [accountId, role, policy],
      );
      return res.rowCount === 1;
    },
    async listAttached(accountId, role, after, max) {
      const res = await db.query<PolicyRow>(
        `SELECT ${POLICY_COLUMNS} FROM iam_policies p JOIN iam_role_attachments a ON a.account_id = p.account_id AND a.policy_name = p.name
         WHERE p.account_id = $1 AND lower(a.role_name) = lower($2) AND ($3::text IS NULL OR lower(p.name) > lower($3))
         ORDER BY lower(p.name) LIMIT $4`,
        [accountId, role, after ?? null, max + 1],
      );
      return paged(res.rows, max, toPolicy, (p) => p.name);
    },
    async documentsOf(accountId, role) {
      const res = await db.query<{ document: string | null }>(
        `SELECT d.document FROM iam_roles r
         LEFT JOIN LATERAL (
           SELECT document FROM iam_role_policies p WHERE p.account_id = r.account_id AND p.role_name = r.name
           UNION ALL
           SELECT m.document FROM iam_role_attachments a JOIN iam_policies m ON m.account_id = a.account_id AND m.name = a.policy_name
           WHERE a.account_id = r.account_id AND a.role_name = r.name
         ) d ON true
         WHERE r.account_id = $1 AND lower(r.name) = lower($2)`,
        [accountId, role],
      );
      if (res.rows.length === 0) return undefined;
      return res.rows.flatMap((r) => (r.document === null ? [] : [r.document]));
    },
  };
}
