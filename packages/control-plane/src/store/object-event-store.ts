// Bucket triggers in Postgres: the sources accounts registered (token digests, never
// tokens), each bucket's Lambda notification configuration, and the invocations a
// notification matched, written in one transaction so that a receiver that answered
// has committed every one of them.
import type { Pool } from "pg";
import type { Deliveries } from "./deliveries.js";
import { boundedDb, jsonbText, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";
import { writeFiring } from "./schedule-store.js";

/** One LambdaFunctionConfiguration: which events on which keys invoke which function. */
/**
 * One of a bucket's notification configurations: exactly one destination, a function
 * (`functionArn`, as rows written before queues and topics have it), a queue or a topic.
 */
export interface NotificationBinding {
  id: string;
  functionArn?: string;
  queueArn?: string;
  topicArn?: string;
  /** As configured, e.g. "s3:ObjectCreated:*". */
  events: string[];
  prefix?: string;
  suffix?: string;
}

export interface ObjectEventSource {
  sourceId: string;
  accountId: string;
  name: string;
  tokenDigest: Buffer;
  createdAt: Date;
}

interface SourceRow {
  source_id: string;
  account_id: string;
  name: string;
  token_sha256: Buffer;
  created_at: Date;
}

const toSource = (r: SourceRow): ObjectEventSource => ({
  sourceId: r.source_id,
  accountId: r.account_id,
  name: r.name,
  tokenDigest: r.token_sha256,
  createdAt: r.created_at,
});

export function createPgObjectEventStore(pool: Pool, timeoutMs = STATEMENT_TIMEOUT_MS) {
  const db = boundedDb(pool, timeoutMs);
  return {
    /** False when the account already has a source by that name. */
    async createSource(s: Omit<ObjectEventSource, "createdAt">): Promise<boolean> {
      const res = await db.query(
        `INSERT INTO object_event_sources (source_id, account_id, name, token_sha256) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, name) DO NOTHING`,
        [s.sourceId, s.accountId, s.name, s.tokenDigest],
      );
      return res.rowCount === 1;
    },
    async findSource(sourceId: string): Promise<ObjectEventSource | undefined> {
      const res = await db.query<SourceRow>("SELECT * FROM object_event_sources WHERE source_id = $1", [sourceId]);
      return res.rows[0] ? toSource(res.rows[0]) : undefined;
    },
    async listSources(accountId: string): Promise<ObjectEventSource[]> {
      const res = await db.query<SourceRow>("SELECT * FROM object_event_sources WHERE account_id = $1 ORDER BY name", [
        accountId,
      ]);
      return res.rows.map(toSource);
    },
    async deleteSource(accountId: string, name: string): Promise<boolean> {
      const res = await db.query("DELETE FROM object_event_sources WHERE account_id = $1 AND name = $2", [
        accountId,
        name,
      ]);
      return res.rowCount === 1;
    },
    /** Replaces the bucket's configuration; none removes it. */
    async putBindings(accountId: string, bucket: string, bindings: NotificationBinding[]): Promise<void> {
      if (bindings.length === 0) {
        await db.query("DELETE FROM bucket_notifications WHERE account_id = $1 AND bucket = $2", [accountId, bucket]);
        return;
      }
      await db.query(
        `INSERT INTO bucket_notifications (account_id, bucket, configurations) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (account_id, bucket) DO UPDATE SET configurations = EXCLUDED.configurations, updated_at = now()`,
        [accountId, bucket, jsonbText(bindings)],
      );
    },
    async getBindings(accountId: string, bucket: string): Promise<NotificationBinding[]> {
      const res = await db.query<{ configurations: NotificationBinding[] }>(
        "SELECT configurations FROM bucket_notifications WHERE account_id = $1 AND bucket = $2",
        [accountId, bucket],
      );
      return res.rows[0]?.configurations ?? [];
    },
    /**
     * Commits the invocations (with their outbox rows), queue messages and messages to
     * topics, all or none; invocations and topic messages written before are skipped (a
     * retried notification). Returns how many were written.
     */
    async accept(d: Pick<Deliveries, "invocations" | "letters" | "publishes">): Promise<number> {
      if (d.invocations.length === 0 && d.letters.length === 0 && !d.publishes?.length) return 0;
      const fired = { written: 0, lost: 0 };
      await db.transaction((c) => writeFiring(c, { ...d, remove: false }, fired));
      return fired.written;
    },
  };
}

export type ObjectEventStore = ReturnType<typeof createPgObjectEventStore>;
