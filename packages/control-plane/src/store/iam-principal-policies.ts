// The inline and attached managed policies of an IAM principal, a role (migration 030)
// or a user (032): one set of statements over either kind's tables, which have the same
// shape. Names are matched without regard to case, as IAM's are.
import type { ManagedPolicy, NamePage } from "./iam-types.js";
import { pageOf } from "./paging.js";
import type { BoundedDb, Db } from "./pg-helpers.js";

export const POLICY_COLUMNS = `p.account_id, p.name, p.policy_id, p.path, p.description, p.document, p.created_at,
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
  /** The principal's name column in `inline` and `attachments`. */
  column: string;
}

export const ROLE_TABLES: PrincipalTables = {
  principals: "iam_roles",
  inline: "iam_role_policies",
  attachments: "iam_role_attachments",
  column: "role_name",
};

export const USER_TABLES: PrincipalTables = {
  principals: "iam_users",
  inline: "iam_user_policies",
  attachments: "iam_user_attachments",
  column: "user_name",
};

export interface PrincipalPolicies {
  /** Creates or replaces; false when the principal does not exist. */
  put(accountId: string, principal: string, name: string, document: string): Promise<boolean>;
  get(accountId: string, principal: string, name: string): Promise<string | undefined>;
  remove(accountId: string, principal: string, name: string): Promise<boolean>;
  list(accountId: string, principal: string, after: string | undefined, max: number): Promise<NamePage<string>>;
  /** Idempotent; false when the principal or the policy does not exist. */
  attach(accountId: string, principal: string, policy: string): Promise<boolean>;
  detach(accountId: string, principal: string, policy: string): Promise<boolean>;
  listAttached(
    accountId: string,
    principal: string,
    after: string | undefined,
    max: number,
  ): Promise<NamePage<ManagedPolicy>>;
  /** Every policy document of the principal, inline and attached; undefined when it does not exist. */
  documentsOf(accountId: string, principal: string): Promise<string[] | undefined>;
}

export function principalPolicies(db: Db, t: PrincipalTables): PrincipalPolicies {
  const { principals, inline, attachments, column } = t;
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
    async listAttached(accountId, principal, after, max) {
      const res = await db.query<PolicyRow>(
        `SELECT ${POLICY_COLUMNS} FROM iam_policies p JOIN ${attachments} a ON a.account_id = p.account_id AND a.policy_name = p.name
         WHERE p.account_id = $1 AND lower(a.${column}) = lower($2) AND ($3::text IS NULL OR lower(p.name) > lower($3))
         ORDER BY lower(p.name) LIMIT $4`,
        [accountId, principal, after ?? null, max + 1],
      );
      return paged(res.rows, max, toPolicy, (p) => p.name);
    },
    async documentsOf(accountId, principal) {
      const res = await db.query<{ document: string | null }>(
        `SELECT d.document FROM ${principals} o
         LEFT JOIN LATERAL (
           SELECT document FROM ${inline} p WHERE p.account_id = o.account_id AND p.${column} = o.name
           UNION ALL
           SELECT m.document FROM ${attachments} a JOIN iam_policies m ON m.account_id = a.account_id AND m.name = a.policy_name
           WHERE a.account_id = o.account_id AND a.${column} = o.name
         ) d ON true
         WHERE o.account_id = $1 AND lower(o.name) = lower($2)`,
        [accountId, principal],
      );
      if (res.rows.length === 0) return undefined;
      return res.rows.flatMap((r) => (r.document === null ? [] : [r.document]));
    },
  };
}
