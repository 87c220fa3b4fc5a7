// Secrets Manager secrets and their versions in Postgres (migration 021). Values
// arrive here sealed (secrets/secret-cipher.ts) and are stored as they come: no
// plaintext reaches this module. Adding a version locks its secret's row, so labels
// move under one writer at a time; the purge claims due secrets with SKIP LOCKED.
import type { Pool } from "pg";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";
import { listWhere, type SecretFilter } from "./secret-filters.js";

export type { SecretFilter } from "./secret-filters.js";

export interface SealedValue {
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
}
export interface SecretTag {
  Key: string;
  Value: string;
}
export interface VersionInfo {
  versionId: string;
  stages: string[];
  createdAt: Date;
}
export interface Secret {
  accountId: string;
  name: string;
  arn: string;
  description?: string;
  tags: SecretTag[];
  createdAt: Date;
  lastChangedAt: Date;
  deletedAt?: Date;
  deleteAfter?: Date;
  /** Oldest first. */
  versions: VersionInfo[];
}
export type ValueKind = "string" | "binary";
export interface NewVersion {
  versionId: string;
  kind: ValueKind;
  sealed: SealedValue;
}
export interface StoredValue {
  kind: ValueKind;
  sealed: SealedValue;
  createdAt: Date;
}
/** How the labels of a secret's versions change as `newId` joins them (secrets/stages.ts). */
export type StagePlanner = (
  versions: Array<{ versionId: string; stages: string[] }>,
  newId: string,
) => { versions: Array<{ versionId: string; stages: string[] }>; dropped: string[] };
export type AddResult = { status: "added"; stages: string[] } | { status: "missing" | "deleted" | "exists" };
export type Change = "ok" | "missing" | "deleted";
export interface ListQuery {
  accountId: string;
  includeDeleted: boolean;
  filters: SecretFilter[];
  /** The name the previous page ended at. */
  after?: string;
  descending: boolean;
  limit: number;
}

interface SecretRow {
  account_id: string;
  name: string;
  arn: string;
  description: string | null;
  tags: SecretTag[];
  created_at: Date;
  last_changed_at: Date;
  deleted_at: Date | null;
  delete_after: Date | null;
  versions: Array<{ versionId: string; stages: string[]; createdAt: string }> | null;
}

const toSecret = (r: SecretRow): Secret => ({
  accountId: r.account_id,
  name: r.name,
  arn: r.arn,
  ...(r.description !== null ? { description: r.description } : {}),
  tags: r.tags,
  createdAt: r.created_at,
  lastChangedAt: r.last_changed_at,
  ...(r.deleted_at ? { deletedAt: r.deleted_at } : {}),
  ...(r.delete_after ? { deleteAfter: r.delete_after } : {}),
  versions: (r.versions ?? []).map((v) => ({ ...v, createdAt: new Date(v.createdAt) })),
});

const SELECT = `SELECT s.*, (SELECT json_agg(json_build_object('versionId', v.version_id, 'stages', v.stages,
    'createdAt', v.created_at) ORDER BY v.created_at, v.version_id)
  FROM secret_versions v WHERE v.secret_arn = s.arn) AS versions FROM secrets s`;

async function insertVersion(db: BoundedDb, arn: string, v: NewVersion, stages: string[]): Promise<void> {
  await db.query(
    `INSERT INTO secret_versions (secret_arn, version_id, stages, kind, key_id, nonce, ciphertext)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [arn, v.versionId, stages, v.kind, v.sealed.keyId, v.sealed.nonce, v.sealed.ciphertext],
  );
}

export function createPgSecretStore(pool: Pool, timeoutMs = STATEMENT_TIMEOUT_MS) {
  const db = boundedDb(pool, timeoutMs);

  /** Locks the secret's row in `tx`: what it is, or why not. */
  async function lock(tx: BoundedDb, arn: string): Promise<"missing" | "deleted" | "ok"> {
    const res = await tx.query<{ deleted_at: Date | null }>(
      "SELECT deleted_at FROM secrets WHERE arn = $1 FOR UPDATE",
      [arn],
    );
    const row = res.rows[0];
    return !row ? "missing" : row.deleted_at ? "deleted" : "ok";
  }

  return {
    /** Creates the secret (with its first version, labelled AWSCURRENT); false if the name is taken. */
    async create(
      s: Pick<Secret, "accountId" | "name" | "arn" | "description" | "tags">,
      first?: NewVersion,
    ): Promise<boolean> {
      return db.transaction(async (tx) => {
        const res = await tx.query(
          `INSERT INTO secrets (account_id, name, arn, description, tags) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING`,
          [s.accountId, s.name, s.arn, s.description ?? null, JSON.stringify(s.tags)],
        );
        if (res.rowCount !== 1) return false;
        if (first) await insertVersion(tx, s.arn, first, ["AWSCURRENT"]);
        return true;
      });
    },
    async find(accountId: string, by: { arn: string } | { name: string }): Promise<Secret | undefined> {
      const [column, key] = "arn" in by ? ["arn", by.arn] : ["name", by.name];
      const res = await db.query<SecretRow>(`${SELECT} WHERE s.account_id = $1 AND s.${column} = $2`, [accountId, key]);
      return res.rows[0] ? toSecret(res.rows[0]) : undefined;
    },
    async value(arn: string, versionId: string): Promise<StoredValue | undefined> {
      const res = await db.query<{
        kind: ValueKind;
        key_id: string;
        nonce: Buffer;
        ciphertext: Buffer;
        created_at: Date;
      }>(
        "SELECT kind, key_id, nonce, ciphertext, created_at FROM secret_versions WHERE secret_arn = $1 AND version_id = $2",
        [arn, versionId],
      );
      const r = res.rows[0];
      if (!r) return undefined;
      return {
        kind: r.kind,
        sealed: { keyId: r.key_id, nonce: r.nonce, ciphertext: r.ciphertext },
        createdAt: r.created_at,
      };
    },
    /** Adds a version, its labels and the others' moved by `plan`; "exists" if the version id is taken. */
    async addVersion(arn: string, v: NewVersion, plan: StagePlanner, description?: string): Promise<AddResult> {
      return db.transaction(async (tx) => {
        const state = await lock(tx, arn);
        if (state !== "ok") return { status: state };
        const rows = await tx.query<{ version_id: string; stages: string[] }>(
          "SELECT version_id, stages FROM secret_versions WHERE secret_arn = $1 ORDER BY created_at, version_id",
          [arn],
        );
        if (rows.rows.some((r) => r.version_id === v.versionId)) return { status: "exists" };
        const next = plan(
          rows.rows.map((r) => ({ versionId: r.version_id, stages: r.stages })),
          v.versionId,
        );
        for (const old of rows.rows) {
          const now = next.versions.find((n) => n.versionId === old.version_id);
          if (now && now.stages.join("\n") !== old.stages.join("\n")) {
            await tx.query("UPDATE secret_versions SET stages = $3 WHERE secret_arn = $1 AND version_id = $2", [
              arn,
              old.version_id,
              now.stages,
            ]);
          }
        }
        if (next.dropped.length > 0) {
          await tx.query("DELETE FROM secret_versions WHERE secret_arn = $1 AND version_id = ANY($2)", [
            arn,
            next.dropped,
          ]);
        }
        const stages = next.versions.find((n) => n.versionId === v.versionId)?.stages ?? [];
        await insertVersion(tx, arn, v, stages);
        await tx.query(
          "UPDATE secrets SET last_changed_at = now(), description = COALESCE($2, description) WHERE arn = $1",
          [arn, description ?? null],
        );
        return { status: "added", stages };
      });
    },
    /**
     * Moves staging labels as `change` decides from the versions' labels (oldest first),
     * the secret locked meanwhile; `{ refused }` with its reason, changing nothing.
     */
    async restage(
      arn: string,
      change: (
        versions: Array<{ versionId: string; stages: string[] }>,
      ) => Array<{ versionId: string; stages: string[] }> | string,
    ): Promise<Change | { refused: string }> {
      return db.transaction(async (tx) => {
        const state = await lock(tx, arn);
        if (state !== "ok") return state;
        const rows = await tx.query<{ version_id: string; stages: string[] }>(
          "SELECT version_id, stages FROM secret_versions WHERE secret_arn = $1 ORDER BY created_at, version_id",
          [arn],
        );
        const before = rows.rows.map((r) => ({ versionId: r.version_id, stages: r.stages }));
        const after = change(before);
        if (typeof after === "string") return { refused: after };
        for (const now of after) {
          const old = before.find((b) => b.versionId === now.versionId);
          if (old && old.stages.join("\n") === now.stages.join("\n")) continue;
          await tx.query("UPDATE secret_versions SET stages = $3 WHERE secret_arn = $1 AND version_id = $2", [
            arn,
            now.versionId,
            now.stages,
          ]);
        }
        await tx.query("UPDATE secrets SET last_changed_at = now() WHERE arn = $1", [arn]);
        return "ok";
      });
    },
    async setDescription(arn: string, description: string): Promise<Change> {
      return db.transaction(async (tx) => {
        const state = await lock(tx, arn);
        if (state === "ok") {
          await tx.query("UPDATE secrets SET description = $2, last_changed_at = now() WHERE arn = $1", [
            arn,
            description,
          ]);
        }
        return state;
      });
    },
    async setTags(arn: string, change: (tags: SecretTag[]) => SecretTag[]): Promise<Change> {
      return db.transaction(async (tx) => {
        const res = await tx.query<{ tags: SecretTag[]; deleted_at: Date | null }>(
          "SELECT tags, deleted_at FROM secrets WHERE arn = $1 FOR UPDATE",
          [arn],
        );
        const row = res.rows[0];
        if (!row) return "missing";
        if (row.deleted_at) return "deleted";
        await tx.query("UPDATE secrets SET tags = $2, last_changed_at = now() WHERE arn = $1", [
          arn,
          JSON.stringify(change(row.tags)),
        ]);
        return "ok";
      });
    },
    /** Schedules deletion at `deleteAfter`; undefined unless the secret exists and is not scheduled already. */
    async scheduleDeletion(arn: string, deleteAfter: Date): Promise<Date | undefined> {
      const res = await db.query<{ deleted_at: Date }>(
        `UPDATE secrets SET deleted_at = now(), delete_after = $2 WHERE arn = $1 AND deleted_at IS NULL
         RETURNING deleted_at`,
        [arn, deleteAfter],
      );
      return res.rows[0]?.deleted_at;
    },
    /** Deletes the secret and its versions now. */
    async remove(arn: string): Promise<boolean> {
      return ((await db.query("DELETE FROM secrets WHERE arn = $1", [arn])).rowCount ?? 0) > 0;
    },
    /** Cancels a scheduled deletion; false if the secret is gone. */
    async restore(arn: string): Promise<boolean> {
      const res = await db.query("UPDATE secrets SET deleted_at = NULL, delete_after = NULL WHERE arn = $1", [arn]);
      return (res.rowCount ?? 0) > 0;
    },
    async list(q: ListQuery): Promise<Secret[]> {
      const where = listWhere(q.filters, 2);
      const values: unknown[] = [q.accountId, ...where.values];
      const conditions = ["s.account_id = $1", ...where.conditions];
      if (!q.includeDeleted) conditions.push("s.deleted_at IS NULL");
      if (q.after !== undefined) {
        values.push(q.after);
        conditions.push(`s.name ${q.descending ? "<" : ">"} $${values.length}`);
      }
      values.push(q.limit);
      const res = await db.query<SecretRow>(
        `${SELECT} WHERE ${conditions.join(" AND ")} ORDER BY s.name ${q.descending ? "DESC" : "ASC"} LIMIT $${values.length}`,
        values,
      );
      return res.rows.map(toSecret);
    },
    /**
     * Deletes up to `limit` secrets whose recovery window has passed; the rows are
     * claimed with SKIP LOCKED, so control planes purging together never wait on or
     * double each other's work. Returns how many went.
     */
    async purgeDue(limit: number): Promise<number> {
      const res = await db.query(
        `DELETE FROM secrets WHERE arn IN (
           SELECT arn FROM secrets WHERE delete_after <= now() ORDER BY delete_after LIMIT $1 FOR UPDATE SKIP LOCKED)`,
        [limit],
      );
      return res.rowCount ?? 0;
    },
  };
}

export type SecretStore = ReturnType<typeof createPgSecretStore>;
