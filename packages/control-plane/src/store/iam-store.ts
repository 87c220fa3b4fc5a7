// IAM roles, their inline policies, customer managed policies and attachments, per
// account (migration 030). Names are matched without regard to case, as IAM's are;
// a role or policy keeps the case it was created with.
import type { Pool } from "pg";
import { type PolicyVersions, policyVersions } from "./iam-policy-versions.js";
import {
  POLICY_COLUMNS,
  type PolicyRow,
  type PrincipalPolicies,
  paged,
  principalPolicies,
  ROLE_TABLES,
  toPolicy,
} from "./iam-principal-policies.js";
import type { ManagedPolicy, NamePage, Role } from "./iam-types.js";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export type DeleteOutcome = "deleted" | "missing" | "conflict";

export interface IamStore {
  /** False when a role of that name (in any case) exists. */
  createRole(role: Role, tags?: Record<string, string>): Promise<boolean>;
  getRole(accountId: string, name: string): Promise<Role | undefined>;
  /** Changes the role's trust policy, description or maximum session; false when there is no such role. */
  updateRole(
    accountId: string,
    name: string,
    change: { trustPolicy?: string; description?: string; maxSessionDuration?: number },
  ): Promise<boolean>;
  /** Refused (conflict) while inline policies are embedded in it or managed ones attached. */
  deleteRole(accountId: string, name: string): Promise<DeleteOutcome>;
  listRoles(accountId: string, pathPrefix: string, after: string | undefined, max: number): Promise<NamePage<Role>>;
  hasRoles(accountId: string): Promise<boolean>;
  /** The roles' inline and attached policies. */
  rolePolicies: PrincipalPolicies;
  /** Stores the policy and its document as version 1; false when one of that name exists. */
  createPolicy(policy: ManagedPolicy, tags?: Record<string, string>): Promise<boolean>;
  /** The customer managed policies' versions. */
  policyVersions: PolicyVersions;
  getPolicy(accountId: string, name: string): Promise<ManagedPolicy | undefined>;
  /** How many of the account's roles and users each AWS managed policy is attached to (absent: none). */
  awsAttachmentCounts(accountId: string): Promise<Map<string, number>>;
  /** Refused while attached to a role or a user ("conflict"), or while it has versions beside the default ("versions"). */
  deletePolicy(accountId: string, name: string): Promise<DeleteOutcome | "versions">;
  listPolicies(
    accountId: string,
    opts: { pathPrefix: string; onlyAttached: boolean },
    after: string | undefined,
    max: number,
  ): Promise<NamePage<ManagedPolicy>>;
}

const ROLE_COLUMNS = "account_id, name, role_id, path, trust_policy, description, max_session_duration, created_at";
/** Whether managed policy `p` is attached to a role or a user (iam-user-store.ts). */
const ATTACHED = `(EXISTS (SELECT 1 FROM iam_role_attachments a WHERE a.account_id = p.account_id AND a.policy_name = p.name)
  OR EXISTS (SELECT 1 FROM iam_user_attachments a WHERE a.account_id = p.account_id AND a.policy_name = p.name))`;

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

export function createPgIamStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): IamStore {
  const db = boundedDb(pool, statementTimeoutMs);
  const policies = principalPolicies(db, ROLE_TABLES);
  return {
    rolePolicies: policies,
    policyVersions: policyVersions(db),
    async createRole(r, tags = {}) {
      const res = await db.query(
        `INSERT INTO iam_roles (${ROLE_COLUMNS}, tags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
        [
          r.accountId,
          r.name,
          r.roleId,
          r.path,
          r.trustPolicy,
          r.description,
          r.maxSessionDuration,
          r.createdAt,
          JSON.stringify(tags),
        ],
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
    async updateRole(accountId, name, change) {
      const res = await db.query(
        `UPDATE iam_roles SET trust_policy = coalesce($3, trust_policy), description = coalesce($4, description),
           max_session_duration = coalesce($5, max_session_duration)
         WHERE account_id = $1 AND lower(name) = lower($2)`,
        [accountId, name, change.trustPolicy ?? null, change.description ?? null, change.maxSessionDuration ?? null],
      );
      return res.rowCount === 1;
    },
    deleteRole: (accountId, name) =>
      db.transaction(async (q) => {
        const res = await q.query<{ name: string; used: boolean }>(
          `SELECT name, EXISTS (SELECT 1 FROM iam_role_policies p WHERE p.account_id = r.account_id AND p.role_name = r.name)
             OR EXISTS (SELECT 1 FROM iam_role_attachments a WHERE a.account_id = r.account_id AND a.role_name = r.name)
             OR EXISTS (SELECT 1 FROM iam_role_aws_attachments a WHERE a.account_id = r.account_id AND a.role_name = r.name) AS used
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
    async awsAttachmentCounts(accountId) {
      const res = await db.query<{ name: string; n: number }>(
        `SELECT policy_name AS name, count(*)::int AS n FROM (
           SELECT policy_name FROM iam_role_aws_attachments WHERE account_id = $1
           UNION ALL SELECT policy_name FROM iam_user_aws_attachments WHERE account_id = $1
         ) a GROUP BY policy_name`,
        [accountId],
      );
      return new Map(res.rows.map((r) => [r.name, r.n]));
    },
    async createPolicy(p, tags = {}) {
      const res = await db.query(
        `WITH p AS (
           INSERT INTO iam_policies (account_id, name, policy_id, path, description, document, created_at, tags)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING account_id, name, document, created_at
         )
         INSERT INTO iam_policy_versions (account_id, policy_name, version, document, created_at)
         SELECT account_id, name, 1, document, created_at FROM p`,
        [p.accountId, p.name, p.policyId, p.path, p.description, p.document, p.createdAt, JSON.stringify(tags)],
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
        const res = await q.query<{ name: string; used: boolean; versions: number }>(
          `SELECT name, ${ATTACHED} AS used,
             (SELECT count(*) FROM iam_policy_versions v WHERE v.account_id = p.account_id AND v.policy_name = p.name)::int AS versions
           FROM iam_policies p WHERE account_id = $1 AND lower(name) = lower($2) FOR UPDATE`,
          [accountId, name],
        );
        const row = res.rows[0];
        if (!row) return "missing";
        if (row.used) return "conflict";
        if (row.versions > 1) return "versions";
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
  };
}
