// The console's Postgres tables (migration 031): sign-in sessions, keyed by the
// SHA-256 of their cookie's token, and each function's saved test events; and a read
// of the buckets' notification configurations (bucket_notifications) for the Triggers tab.
import { functionOfArn } from "../schedules/firing.js";
import type { BoundedDb } from "../store/pg-helpers.js";

export interface SessionRow {
  accessKeyId: string;
  accountId: string;
  expiresAt: Date;
}

export interface TestEvent {
  name: string;
  payload: string;
  updatedAt: Date;
}

/** One bucket's Lambda notification configurations, as stored (object-event-store.ts). */
export interface BucketBindings {
  bucket: string;
  configurations: { id: string; functionArn: string; events: string[]; prefix?: string; suffix?: string }[];
}

export interface ConsoleStore {
  /** The account's buckets with a notification configuration naming a function of this name (any qualifier). */
  bucketBindingsOf(accountId: string, functionName: string): Promise<BucketBindings[]>;
  /** Records a session; also drops the expired ones, so the table holds only live sessions and a few more. */
  createSession(hash: Buffer, accessKeyId: string, expiresAt: Date): Promise<void>;
  /** The unexpired session of this hash whose key still exists, or undefined. */
  findSession(hash: Buffer): Promise<SessionRow | undefined>;
  deleteSession(hash: Buffer): Promise<void>;
  listTestEvents(accountId: string, functionName: string): Promise<TestEvent[]>;
  /** Creates or replaces; refused (false) when the function already has `max` other events. */
  putTestEvent(accountId: string, functionName: string, name: string, payload: string, max: number): Promise<boolean>;
  /** False when there was no such event. */
  deleteTestEvent(accountId: string, functionName: string, name: string): Promise<boolean>;
}

export function createPgConsoleStore(db: BoundedDb): ConsoleStore {
  return {
    async bucketBindingsOf(accountId, functionName) {
      const res = await db.query<BucketBindings>(
        "SELECT bucket, configurations FROM bucket_notifications WHERE account_id = $1 ORDER BY bucket",
        [accountId],
      );
      const ours = (arn: string) => {
        const f = functionOfArn(arn);
        return f?.functionName === functionName && (f.accountId ?? accountId) === accountId;
      };
      return res.rows
        .map((r) => ({ bucket: r.bucket, configurations: r.configurations.filter((c) => ours(c.functionArn)) }))
        .filter((r) => r.configurations.length > 0);
    },
    async createSession(hash, accessKeyId, expiresAt) {
      await db.query("DELETE FROM console_sessions WHERE expires_at < now()");
      await db.query("INSERT INTO console_sessions (token_sha256, access_key_id, expires_at) VALUES ($1, $2, $3)", [
        hash,
        accessKeyId,
        expiresAt,
      ]);
    },
    async findSession(hash) {
      const res = await db.query<{ access_key_id: string; account_id: string; expires_at: Date }>(
        `SELECT s.access_key_id, k.account_id, s.expires_at FROM console_sessions s
           JOIN access_keys k ON k.access_key_id = s.access_key_id
          WHERE s.token_sha256 = $1 AND s.expires_at > now()`,
        [hash],
      );
      const row = res.rows[0];
      return row ? { accessKeyId: row.access_key_id, accountId: row.account_id, expiresAt: row.expires_at } : undefined;
    },
    async deleteSession(hash) {
      await db.query("DELETE FROM console_sessions WHERE token_sha256 = $1", [hash]);
    },
    async listTestEvents(accountId, functionName) {
      const res = await db.query<{ name: string; payload: string; updated_at: Date }>(
        "SELECT name, payload, updated_at FROM console_test_events WHERE account_id = $1 AND function_name = $2 ORDER BY name",
        [accountId, functionName],
      );
      return res.rows.map((r) => ({ name: r.name, payload: r.payload, updatedAt: r.updated_at }));
    },
    async putTestEvent(accountId, functionName, name, payload, max) {
      // One statement: the count of the others and the write cannot be split by a concurrent save.
      const res = await db.query(
        `INSERT INTO console_test_events (account_id, function_name, name, payload)
         SELECT $1, $2, $3, $4
          WHERE (SELECT count(*) FROM console_test_events
                  WHERE account_id = $1 AND function_name = $2 AND name <> $3) < $5
         ON CONFLICT (account_id, function_name, name) DO UPDATE SET payload = EXCLUDED.payload, updated_at = now()`,
        [accountId, functionName, name, payload, max],
      );
      return (res.rowCount ?? 0) > 0;
    },
    async deleteTestEvent(accountId, functionName, name) {
      const res = await db.query(
        "DELETE FROM console_test_events WHERE account_id = $1 AND function_name = $2 AND name = $3",
        [accountId, functionName, name],
      );
      return (res.rowCount ?? 0) > 0;
    },
  };
}
