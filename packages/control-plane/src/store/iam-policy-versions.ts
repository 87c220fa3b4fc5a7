// A customer managed policy's versions (migration 043): up to five, numbered from 1 and
// never reused; the default one's document is copied to iam_policies.document, which
// is what judges requests. Each change holds the policy's row to its transaction's end.
import type { BoundedDb, Db } from "./pg-helpers.js";

/** IAM's limit on a managed policy's versions. */
export const POLICY_VERSIONS_MAX = 5;

export interface PolicyVersion {
  version: number;
  document: string;
  createdAt: Date;
  isDefault: boolean;
}

export interface PolicyVersions {
  /** The new version's number; "limit" at five versions, "missing" with no such policy. */
  create(
    accountId: string,
    policy: string,
    document: string,
    setAsDefault: boolean,
    at: Date,
  ): Promise<number | "missing" | "limit">;
  get(accountId: string, policy: string, version: number): Promise<PolicyVersion | undefined>;
  /** Newest first; undefined with no such policy. */
  list(accountId: string, policy: string): Promise<PolicyVersion[] | undefined>;
  /** The default version cannot be deleted. */
  remove(accountId: string, policy: string, version: number): Promise<"deleted" | "missing" | "default">;
  setDefault(accountId: string, policy: string, version: number, at: Date): Promise<"set" | "missing">;
}

/** The policy's stored name and default version, its row held; undefined when there is none. */
async function lockPolicy(q: BoundedDb, accountId: string, name: string) {
  const res = await q.query<{ name: string; default_version: number; next_version: number }>(
    `SELECT name, default_version, next_version FROM iam_policies
     WHERE account_id = $1 AND lower(name) = lower($2) FOR UPDATE`,
    [accountId, name],
  );
  return res.rows[0];
}

interface VersionRow {
  version: number;
  document: string;
  created_at: Date;
  is_default: boolean;
}

const VERSION_SELECT = `SELECT v.version, v.document, v.created_at, v.version = p.default_version AS is_default
  FROM iam_policies p JOIN iam_policy_versions v ON v.account_id = p.account_id AND v.policy_name = p.name`;

const toVersion = (r: VersionRow): PolicyVersion => ({
  version: r.version,
  document: r.document,
  createdAt: r.created_at,
  isDefault: r.is_default,
});

export function policyVersions(db: Db): PolicyVersions {
  return {
    create: (accountId, policy, document, setAsDefault, at) =>
      db.transaction(async (q) => {
        const p = await lockPolicy(q, accountId, policy);
        if (!p) return "missing";
        const count = await q.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM iam_policy_versions WHERE account_id = $1 AND policy_name = $2",
          [accountId, p.name],
        );
        if ((count.rows[0]?.n ?? 0) >= POLICY_VERSIONS_MAX) return "limit";
        await q.query(
          "INSERT INTO iam_policy_versions (account_id, policy_name, version, document, created_at) VALUES ($1, $2, $3, $4, $5)",
          [accountId, p.name, p.next_version, document, at],
        );
        await q.query(
          `UPDATE iam_policies SET next_version = next_version + 1,
             document = CASE WHEN $3 THEN $4 ELSE document END,
             default_version = CASE WHEN $3 THEN next_version ELSE default_version END,
             updated_at = CASE WHEN $3 THEN $5 ELSE updated_at END
           WHERE account_id = $1 AND name = $2`,
          [accountId, p.name, setAsDefault, document, at],
        );
        return p.next_version;
      }),
    async get(accountId, policy, version) {
      const res = await db.query<VersionRow>(
        `${VERSION_SELECT} WHERE p.account_id = $1 AND lower(p.name) = lower($2) AND v.version = $3`,
        [accountId, policy, version],
      );
      return res.rows[0] && toVersion(res.rows[0]);
    },
    async list(accountId, policy) {
      const res = await db.query<VersionRow>(
        `${VERSION_SELECT} WHERE p.account_id = $1 AND lower(p.name) = lower($2) ORDER BY v.version DESC`,
        [accountId, policy],
      );
      return res.rows.length === 0 ? undefined : res.rows.map(toVersion);
    },
    remove: (accountId, policy, version) =>
      db.transaction(async (q) => {
        const p = await lockPolicy(q, accountId, policy);
        if (!p) return "missing";
        if (p.default_version === version) return "default";
        const res = await q.query(
          "DELETE FROM iam_policy_versions WHERE account_id = $1 AND policy_name = $2 AND version = $3",
          [accountId, p.name, version],
        );
        return res.rowCount === 1 ? "deleted" : "missing";
      }),
    setDefault: (accountId, policy, version, at) =>
      db.transaction(async (q) => {
        const p = await lockPolicy(q, accountId, policy);
        if (!p) return "missing";
        const res = await q.query(
          `UPDATE iam_policies p SET document = v.document, default_version = v.version,
             updated_at = CASE WHEN p.default_version = v.version THEN p.updated_at ELSE $4 END
           FROM iam_policy_versions v
           WHERE p.account_id = $1 AND p.name = $2 AND v.account_id = p.account_id AND v.policy_name = p.name AND v.version = $3`,
          [accountId, p.name, version, at],
        );
        return res.rowCount === 1 ? "set" : "missing";
      }),
  };
}
