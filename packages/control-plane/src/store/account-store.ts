// Accounts and access keys. The only place their SQL lives.
import { randomBytes, randomInt } from "node:crypto";
import type { Pool } from "pg";
import type { AccessKey, Account } from "../domain.js";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export interface AccountStore {
  createAccount(name: string, opts?: { admin?: boolean }): Promise<Account>;
  isAdmin(accountId: string): Promise<boolean>;
  /**
   * Creates the first administrator account and its key unless an administrator
   * exists; serialised across control planes by an advisory lock.
   */
  ensureAdmin(name: string): Promise<{ account: Account; key: AccessKey } | undefined>;
  findAccountByName(name: string): Promise<Account | undefined>;
  createAccessKey(accountId: string): Promise<AccessKey>;
  findAccessKey(accessKeyId: string): Promise<AccessKey | undefined>;
  countAccounts(): Promise<number>;
}

const ADMIN_LOCK_ID = 0x57a7_0002;
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function newAccountId(): string {
  return String(randomInt(1, 10)) + Array.from({ length: 11 }, () => randomInt(0, 10)).join("");
}

export function newAccessKeyId(): string {
  return `AKIA${Array.from(randomBytes(16), (b) => KEY_ALPHABET[b % 32]).join("")}`;
}

export const newSecretAccessKey = () => randomBytes(30).toString("base64").replace(/[+/]/g, "A");

/** `statementTimeoutMs`: how long one statement may take (see pg-helpers.ts). */
export function createPgAccountStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): AccountStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    async createAccount(name, opts = {}) {
      for (;;) {
        const id = newAccountId();
        const res = await db.query(
          "INSERT INTO accounts (id, name, is_admin) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id, name",
          [id, name, opts.admin ?? false],
        );
        if (res.rowCount === 1) return { id, name };
      }
    },
    async isAdmin(accountId) {
      const res = await db.query<{ is_admin: boolean }>("SELECT is_admin FROM accounts WHERE id = $1", [accountId]);
      return res.rows[0]?.is_admin ?? false;
    },
    ensureAdmin(name) {
      // The lock is the session's: a connection dropped after a failure lets go of it too.
      return db.session(async (client) => {
        await client.query("SELECT pg_advisory_lock($1)", [ADMIN_LOCK_ID]);
        try {
          const existing = await client.query("SELECT 1 FROM accounts WHERE is_admin LIMIT 1");
          if (existing.rowCount) return undefined;
          const account = await this.createAccount(name, { admin: true });
          return { account, key: await this.createAccessKey(account.id) };
        } finally {
          await client.query("SELECT pg_advisory_unlock($1)", [ADMIN_LOCK_ID]).catch(() => undefined);
        }
      });
    },
    async findAccountByName(name) {
      const res = await db.query<Account>("SELECT id, name FROM accounts WHERE name = $1", [name]);
      return res.rows[0];
    },
    async createAccessKey(accountId) {
      const key = { accessKeyId: newAccessKeyId(), accountId, secretAccessKey: newSecretAccessKey() };
      await db.query("INSERT INTO access_keys (access_key_id, account_id, secret_access_key) VALUES ($1, $2, $3)", [
        key.accessKeyId,
        key.accountId,
        key.secretAccessKey,
      ]);
      return key;
    },
    async findAccessKey(accessKeyId) {
      // An Inactive key (an IAM user's, UpdateAccessKey) is not known at all.
      const res = await db.query(
        `SELECT k.access_key_id, k.account_id, k.secret_access_key, u.name AS user_name, u.path AS user_path
         FROM access_keys k LEFT JOIN iam_users u ON u.account_id = k.account_id AND u.name = k.user_name
         WHERE k.access_key_id = $1 AND k.status = 'Active'`,
        [accessKeyId],
      );
      const row = res.rows[0];
      if (!row) return undefined;
      const key: AccessKey = {
        accessKeyId: row.access_key_id,
        accountId: row.account_id,
        secretAccessKey: row.secret_access_key,
      };
      if (row.user_name) key.user = { name: row.user_name, path: row.user_path };
      return key;
    },
    async countAccounts() {
      const res = await db.query<{ n: string }>("SELECT count(*) AS n FROM accounts");
      return Number(res.rows[0]?.n ?? 0);
    },
  };
}
