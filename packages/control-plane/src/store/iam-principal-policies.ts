// The inline and attached managed policies of an IAM principal, a role (migration 030)
// or a user (032), AWS managed ones too (042): one set of statements over either kind's
// tables, which have the same shape. Names are matched without regard to case, as IAM's are.
import type { ManagedPolicy, NamePage } from "./iam-types.js";
import { pageOf } from "./paging.js";
import type { BoundedDb, Db } from "./pg-helpers.js";

export const POLICY_COLUMNS = `p.account_id, p.name, p.policy_id, p.path, p.description, p.document, p.created_at,
  p.default_version, coalesce(p.updated_at, p.created_at) AS updated_at,
  ((SELECT count(*) FROM iam_role_attachments a WHERE a.account_id = p.account_id AND a.policy_name = p.name)
   + (SELECT count(*) FROM iam_user_attachments a WHERE a.account_id = p.account_id AND a.policy_name = p.name))::int AS attachments`;

export interface PolicyRow {
  account_id: string;
  name: string;
  policy_id: string;
  path: string;
  description: string;
  document: string;
  created_at: Date;
  default_version: number;
  updated_at: Date;
  attachments: number;
}

export const toPolicy = (r: PolicyRow): ManagedPolicy => ({
  accountId: r.account_id,
  name: r.name,
  policyId: r.policy_id,
  path: r.path,
  description: r.description,
  document: r.document,
  createdAt: r.created_at,
  defaultVersion: r.default_version,
  updatedAt: r.updated_at,
  attachmentCount: r.attachments,
});

/** One page from rows fetched with one more than `max` (paging.ts), the name it ends at as IAM's marker. */
export function paged<R, T>(rows: R[], max: number, map: (r: R) => T, nameOf: (t: T) => string): NamePage<T> {
  const { items, nextMarker } = pageOf(rows, max, map, nameOf);
  return nextMarker === undefined ? { items } : { items, after: nextMarker };
}

/** The tables of one kind of principal. */
export interface PrincipalTables {
  principals: string;
  inline: string;
  attachments: string;
  /** Its attached AWS managed policies, by name and path (migration 042). */
  awsAttachments: string;
  /** The principal's name column in `inline` and `attachments`. */
  column: string;
}

export const ROLE_TABLES: PrincipalTables = {
  principals: "iam_roles",
  inline: "iam_role_policies",
  attachments: "iam_role_attachments",
  awsAttachments: "iam_role_aws_attachments",
  column: "role_name",
};

export const USER_TABLES: PrincipalTables = {
  principals: "iam_users",
  inline: "iam_user_policies",
  attachments: "iam_user_attachments",
  awsAttachments: "iam_user_aws_attachments",
  column: "user_name",
};

/** A policy attached to a principal: a customer managed one, or an AWS managed one of Stratus's catalog. */
export interface Attached {
  name: string;
  arn: string;
}

/** A principal's policies for judging its requests: documents, and the AWS managed ones by name. */
export interface PrincipalDocuments {
  documents: string[];
  awsPolicies: string[];
}

export interface PrincipalPolicies {
  /** Creates or replaces; false when the principal does not exist. */
  put(accountId: string, principal: string, name: string, document: string): Promise<boolean>;
  get(accountId: string, principal: string, name: string): Promise<string | undefined>;
  remove(accountId: string, principal: string, name: string): Promise<boolean>;
  list(accountId: string, principal: string, after: string | undefined, max: number): Promise<NamePage<string>>;
  /** Idempotent; false when the principal or the policy does not exist. */
  attach(accountId: string, principal: string, policy: string): Promise<boolean>;
  detach(accountId: string, principal: string, policy: string): Promise<boolean>;
  /** Idempotent; false when the principal does not exist. The policy is the caller's to check. */
  attachAws(accountId: string, principal: string, policy: { name: string; path: string }): Promise<boolean>;
  detachAws(accountId: string, principal: string, policy: string): Promise<boolean>;
  /** Customer and AWS managed policies attached, by name without regard to case. */
  listAttached(
    accountId: string,
    principal: string,
    after: string | undefined,
    max: number,
  ): Promise<NamePage<Attached>>;
  /** Every policy of the principal, inline and attached; undefined when it does not exist. */
  documentsOf(accountId: string, principal: string): Promise<PrincipalDocuments | undefined>;
}

export function principalPolicies(db: Db, t: PrincipalTables): PrincipalPolicies {
  const { principals, inline, attachments, awsAttachments, column } = t;
  /** The stored name of the principal, its row held to the transaction's end. */
  const principalName = async (q: BoundedDb, accountId: string, name: string) =>
    (
      await q.query<{ name: string }>(
        `SELECT name FROM ${principals} WHERE account_id = $1 AND lower(name) = lower($2) FOR UPDATE`,
        [accountId, name],
      )
    ).rows[0]?.name;
  return {
    put: (accountId, principal, name, document) =>
      db.transaction(async (q) => {
        const stored = await principalName(q, accountId, principal);
        if (stored === undefined) return false;
        await q.query(
          `INSERT INTO ${inline} (account_id, ${column}, name, document) VALUES ($1, $2, $3, $4)
           ON CONFLICT (account_id, ${column}, name) DO UPDATE SET document = EXCLUDED.document`,
          [accountId, stored, name, document],
        );
        return true;
      }),
    async get(accountId, principal, name) {
      const res = await db.query<{ document: string }>(
        `SELECT document FROM ${inline} WHERE account_id = $1 AND lower(${column}) = lower($2) AND name = $3`,
        [accountId, principal, name],
      );
      return res.rows[0]?.document;
    },
    async remove(accountId, principal, name) {
      const res = await db.query(
        `DELETE FROM ${inline} WHERE account_id = $1 AND lower(${column}) = lower($2) AND name = $3`,
        [accountId, principal, name],
      );
      return res.rowCount === 1;
    },
    async list(accountId, principal, after, max) {
      const res = await db.query<{ name: string }>(
        `SELECT name FROM ${inline} WHERE account_id = $1 AND lower(${column}) = lower($2)
         AND ($3::text IS NULL OR name > $3) ORDER BY name LIMIT $4`,
        [accountId, principal, after ?? null, max + 1],
      );
      return paged(
        res.rows,
        max,
        (r) => r.name,
        (n) => n,
      );
    },
    attach: (accountId, principal, policy) =>
      db.transaction(async (q) => {
        const owner = await principalName(q, accountId, principal);
        const p = (
          await q.query<{ name: string }>(
            "SELECT name FROM iam_policies WHERE account_id = $1 AND lower(name) = lower($2) FOR SHARE",
            [accountId, policy],
          )
        ).rows[0]?.name;
        if (owner === undefined || p === undefined) return false;
        await q.query(
          `INSERT INTO ${attachments} (account_id, ${column}, policy_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [accountId, owner, p],
        );
        return true;
      }),
    async detach(accountId, principal, policy) {
      const res = await db.query(
        `DELETE FROM ${attachments} WHERE account_id = $1 AND lower(${column}) = lower($2) AND lower(policy_name) = lower($3)`,
        [accountId, principal, policy],
      );
      return res.rowCount === 1;
    },
    attachAws: (accountId, principal, policy) =>
      db.transaction(async (q) => {
        const owner = await principalName(q, accountId, principal);
        if (owner === undefined) return false;
        await q.query(
          `INSERT INTO ${awsAttachments} (account_id, ${column}, policy_name, policy_path) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [accountId, owner, policy.name, policy.path],
        );
        return true;
      }),
    async detachAws(accountId, principal, policy) {
      const res = await db.query(
        `DELETE FROM ${awsAttachments} WHERE account_id = $1 AND lower(${column}) = lower($2) AND policy_name = $3`,
        [accountId, principal, policy],
      );
      return res.rowCount === 1;
    },
    async listAttached(accountId, principal, after, max) {
      const res = await db.query<{ name: string; path: string; aws: boolean }>(
        `SELECT * FROM (
           SELECT p.name, p.path, false AS aws FROM iam_policies p
           JOIN ${attachments} a ON a.account_id = p.account_id AND a.policy_name = p.name
           WHERE p.account_id = $1 AND lower(a.${column}) = lower($2)
           UNION ALL
           SELECT policy_name, policy_path, true FROM ${awsAttachments} WHERE account_id = $1 AND lower(${column}) = lower($2)
         ) x WHERE $3::text IS NULL OR lower(x.name) > lower($3)
         ORDER BY lower(x.name), x.aws LIMIT $4`,
        [accountId, principal, after ?? null, max + 1],
      );
      const toAttached = (r: { name: string; path: string; aws: boolean }): Attached => ({
        name: r.name,
        arn: `arn:aws:iam::${r.aws ? "aws" : accountId}:policy${r.path}${r.name}`,
      });
      return paged(res.rows, max, toAttached, (p) => p.name);
    },
    async documentsOf(accountId, principal) {
      const res = await db.query<{ document: string | null; aws: string | null }>(
        `SELECT d.document, d.aws FROM ${principals} o
         LEFT JOIN LATERAL (
           SELECT document, NULL AS aws FROM ${inline} p WHERE p.account_id = o.account_id AND p.${column} = o.name
           UNION ALL
           SELECT m.document, NULL FROM ${attachments} a JOIN iam_policies m ON m.account_id = a.account_id AND m.name = a.policy_name
           WHERE a.account_id = o.account_id AND a.${column} = o.name
           UNION ALL
           SELECT NULL, policy_name FROM ${awsAttachments} w WHERE w.account_id = o.account_id AND w.${column} = o.name
         ) d ON true
         WHERE o.account_id = $1 AND lower(o.name) = lower($2)`,
        [accountId, principal],
      );
      if (res.rows.length === 0) return undefined;
      return {
        documents: res.rows.flatMap((r) => (r.document === null ? [] : [r.document])),
        awsPolicies: res.rows.flatMap((r) => (r.aws === null ? [] : [r.aws])),
      };
    },
  };
}
