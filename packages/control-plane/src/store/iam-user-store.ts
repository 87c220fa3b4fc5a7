// IAM users, their inline policies, attached managed policies and access keys, per
// account (migration 032). Names are matched without regard to case, as IAM's are. A
// user's keys live in access_keys beside the account's own, with its name on them.
import type { Pool } from "pg";
import { newAccessKeyId, newSecretAccessKey } from "./account-store.js";
import { type PrincipalPolicies, paged, principalPolicies, USER_TABLES } from "./iam-principal-policies.js";
import type { NamePage, User, UserKey } from "./iam-types.js";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

/** IAM's limit on a user's access keys. */
export const KEYS_PER_USER = 2;

export type DeleteUserOutcome = "deleted" | "missing" | "keys" | "policies" | "attached";

export interface IamUserStore {
  /** False when a user of that name (in any case) exists. */
  createUser(user: User): Promise<boolean>;
  getUser(accountId: string, name: string): Promise<User | undefined>;
  /** Refused while it has access keys, inline policies or attached ones: which of those first. */
  deleteUser(accountId: string, name: string): Promise<DeleteUserOutcome>;
  listUsers(accountId: string, pathPrefix: string, after: string | undefined, max: number): Promise<NamePage<User>>;
  /** The users' inline and attached policies. */
  userPolicies: PrincipalPolicies;
  /** A new Active key with its secret; "limit" when the user has KEYS_PER_USER already. */
  createKey(accountId: string, user: string): Promise<(UserKey & { secretAccessKey: string }) | "missing" | "limit">;
  listKeys(accountId: string, user: string): Promise<UserKey[]>;
  /** False when the user has no such key. */
  setKeyStatus(accountId: string, user: string, keyId: string, status: UserKey["status"]): Promise<boolean>;
  deleteKey(accountId: string, user: string, keyId: string): Promise<boolean>;
}

const USER_COLUMNS = "account_id, name, user_id, path, created_at";

interface UserRow {
  account_id: string;
  name: string;
  user_id: string;
  path: string;
  created_at: Date;
}

const toUser = (r: UserRow): User => ({
  accountId: r.account_id,
  name: r.name,
  userId: r.user_id,
  path: r.path,
  createdAt: r.created_at,
});

export function createPgIamUserStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): IamUserStore {
  const db = boundedDb(pool, statementTimeoutMs);
  const policies = principalPolicies(db, USER_TABLES);
  /** The stored name of `accountId`'s user named `name` in any case; `lock` holds the row to the transaction's end. */
  const userName = async (q: BoundedDb, accountId: string, name: string, lock = false) =>
    (
      await q.query<{ name: string }>(
        `SELECT name FROM iam_users WHERE account_id = $1 AND lower(name) = lower($2)${lock ? " FOR UPDATE" : ""}`,
        [accountId, name],
      )
    ).rows[0]?.name;
  return {
    userPolicies: policies,
    async createUser(u) {
      const res = await db.query(
        `INSERT INTO iam_users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [u.accountId, u.name, u.userId, u.path, u.createdAt],
      );
      return res.rowCount === 1;
    },
    async getUser(accountId, name) {
      const res = await db.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM iam_users WHERE account_id = $1 AND lower(name) = lower($2)`,
        [accountId, name],
      );
      return res.rows[0] && toUser(res.rows[0]);
    },
    deleteUser: (accountId, name) =>
      db.transaction(async (q) => {
        const res = await q.query<{ name: string; keys: boolean; policies: boolean; attached: boolean }>(
          `SELECT name,
             EXISTS (SELECT 1 FROM access_keys k WHERE k.account_id = u.account_id AND k.user_name = u.name) AS keys,
             EXISTS (SELECT 1 FROM iam_user_policies p WHERE p.account_id = u.account_id AND p.user_name = u.name) AS policies,
             EXISTS (SELECT 1 FROM iam_user_attachments a WHERE a.account_id = u.account_id AND a.user_name = u.name)
               OR EXISTS (SELECT 1 FROM iam_user_aws_attachments a WHERE a.account_id = u.account_id AND a.user_name = u.name) AS attached
           FROM iam_users u WHERE account_id = $1 AND lower(name) = lower($2) FOR UPDATE`,
          [accountId, name],
        );
        const row = res.rows[0];
        if (!row) return "missing";
        if (row.keys) return "keys";
        if (row.policies) return "policies";
        if (row.attached) return "attached";
        await q.query("DELETE FROM iam_users WHERE account_id = $1 AND name = $2", [accountId, row.name]);
        return "deleted";
      }),
    async listUsers(accountId, pathPrefix, after, max) {
      const res = await db.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM iam_users WHERE account_id = $1 AND starts_with(path, $2) AND ($3::text IS NULL OR lower(name) > lower($3))
         ORDER BY lower(name) LIMIT $4`,
        [accountId, pathPrefix, after ?? null, max + 1],
      );
      return paged(res.rows, max, toUser, (u) => u.name);
    },
    createKey: (accountId, user) =>
      db.transaction(async (q) => {
        // The user's row is held so two CreateAccessKey calls cannot both pass the limit.
        const stored = await userName(q, accountId, user, true);
        if (stored === undefined) return "missing";
        const count = await q.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM access_keys WHERE account_id = $1 AND user_name = $2",
          [accountId, stored],
        );
        if ((count.rows[0]?.n ?? 0) >= KEYS_PER_USER) return "limit";
        const key = { accessKeyId: newAccessKeyId(), secretAccessKey: newSecretAccessKey() };
        const res = await q.query<{ created_at: Date }>(
          `INSERT INTO access_keys (access_key_id, account_id, secret_access_key, user_name) VALUES ($1, $2, $3, $4)
           RETURNING created_at`,
          [key.accessKeyId, accountId, key.secretAccessKey, stored],
        );
        return {
          ...key,
          userName: stored,
          status: "Active" as const,
          createdAt: res.rows[0]?.created_at ?? new Date(),
        };
      }),
    async listKeys(accountId, user) {
      const res = await db.query<{
        access_key_id: string;
        user_name: string;
        status: UserKey["status"];
        created_at: Date;
      }>(
        `SELECT access_key_id, user_name, status, created_at FROM access_keys
         WHERE account_id = $1 AND lower(user_name) = lower($2) ORDER BY created_at, access_key_id`,
        [accountId, user],
      );
      return res.rows.map((r) => ({
        userName: r.user_name,
        accessKeyId: r.access_key_id,
        status: r.status,
        createdAt: r.created_at,
      }));
    },
    async setKeyStatus(accountId, user, keyId, status) {
      const res = await db.query(
        "UPDATE access_keys SET status = $4 WHERE account_id = $1 AND lower(user_name) = lower($2) AND access_key_id = $3",
        [accountId, user, keyId, status],
      );
      return res.rowCount === 1;
    },
    async deleteKey(accountId, user, keyId) {
      const res = await db.query(
        "DELETE FROM access_keys WHERE account_id = $1 AND lower(user_name) = lower($2) AND access_key_id = $3",
        [accountId, user, keyId],
      );
      return res.rowCount === 1;
    },
  };
}
