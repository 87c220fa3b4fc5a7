// The queues' and messages' SQL, but for the insert that store/sqs-messages.ts holds
// for this store and the async store's dead letters. Receives claim rows with
// FOR UPDATE SKIP LOCKED, so concurrent receivers (in one control plane or several)
// never take the same message; each claim gives the message a new receipt token. A
// send notifies channel `stratus_sqs` with the queue's id when it commits, which wakes
// long polls waiting on that queue (arrivals.ts). FIFO queues send and receive
// through fifo-store.ts.
import type { Pool } from "pg";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "../store/pg-helpers.js";
import { insertMessages, NOTIFY_CHANNEL, type OutgoingMessage } from "../store/sqs-messages.js";
import type { FifoSettings } from "./fifo-attributes.js";
import { type FifoOutgoing, type FifoSent, receiveFifo, sendFifo } from "./fifo-store.js";
import { type MessageRow, toMessage } from "./message-rows.js";
import type { QueueSettings, RedrivePolicy } from "./queue-attributes.js";
import type { Queue, QueueCounts, ReceiveResult } from "./queue-shapes.js";

export type { StoredMessage } from "./message-rows.js";
export type { Queue, QueueCounts, ReceiveResult } from "./queue-shapes.js";

export interface QueueStore {
  /** Creates the queue, or returns the one of that name (`created` false). */
  create(
    account: string,
    name: string,
    settings: QueueSettings,
    tags: Record<string, string>,
  ): Promise<{ queue: Queue; created: boolean }>;
  get(account: string, name: string): Promise<Queue | undefined>;
  /** Names in order, those after `after`, at most `limit`. */
  list(account: string, prefix: string, after: string | undefined, limit: number): Promise<string[]>;
  remove(account: string, name: string): Promise<boolean>;
  update(queueId: string, settings: QueueSettings): Promise<void>;
  tag(queueId: string, tags: Record<string, string>): Promise<void>;
  untag(queueId: string, keys: string[]): Promise<void>;
  counts(queue: Queue): Promise<QueueCounts>;
  send(queueId: string, messages: OutgoingMessage[]): Promise<void>;
  /** Sends to a FIFO queue: an answer per message, in order (a duplicate's is the original's). */
  sendFifo(queue: Queue, messages: FifoOutgoing[]): Promise<FifoSent[]>;
  /** Claims up to `limit` visible messages for `visibilitySeconds`; `dlqId` with the queue's redrive policy. */
  receive(queue: Queue, limit: number, visibilitySeconds: number, dlqId: string | undefined): Promise<ReceiveResult>;
  /** When the queue's next message becomes visible, if it holds any that are not. */
  nextVisible(queueId: string): Promise<Date | undefined>;
  /**
   * Deletes the message if `receipt` is its latest; false if it does not match (stale or
   * gone). `wake`: notify the queue's long polls (a FIFO group it held may go on).
   */
  deleteMessage(queueId: string, id: string, receipt: string, wake?: boolean): Promise<boolean>;
  /** False when `receipt` is not the message's latest. */
  changeVisibility(queueId: string, id: string, receipt: string, seconds: number): Promise<boolean>;
  /** Deletes every message; false when the queue was purged less than 60 s ago. */
  purge(queueId: string): Promise<boolean>;
}

interface QueueRow {
  id: string;
  account_id: string;
  name: string;
  visibility_timeout: number;
  retention_seconds: number;
  delay_seconds: number;
  wait_seconds: number;
  max_message_size: number;
  redrive_policy: RedrivePolicy | null;
  policy: string | null;
  fifo: FifoSettings | null;
  tags: Record<string, string>;
  created_at: Date;
  last_modified: Date;
}

const QUEUE_COLUMNS = `id, account_id, name, visibility_timeout, retention_seconds, delay_seconds, wait_seconds,
  max_message_size, redrive_policy, policy, fifo, tags, created_at, last_modified`;

function toQueue(r: QueueRow): Queue {
  return {
    id: String(r.id),
    accountId: r.account_id,
    name: r.name,
    settings: {
      visibilityTimeout: r.visibility_timeout,
      retentionSeconds: r.retention_seconds,
      delaySeconds: r.delay_seconds,
      waitSeconds: r.wait_seconds,
      maxMessageSize: r.max_message_size,
      ...(r.redrive_policy ? { redrivePolicy: r.redrive_policy } : {}),
      ...(r.policy ? { policy: r.policy } : {}),
      ...(r.fifo ? { fifo: r.fifo } : {}),
    },
    tags: r.tags,
    createdAt: r.created_at,
    lastModified: r.last_modified,
  };
}

export function createPgQueueStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): QueueStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    async create(account, name, s, tags) {
      const ins = await db.query<QueueRow>(
        `INSERT INTO sqs_queues (account_id, name, visibility_timeout, retention_seconds, delay_seconds, wait_seconds,
           max_message_size, redrive_policy, tags, policy, fifo)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (account_id, name) DO NOTHING RETURNING ${QUEUE_COLUMNS}`,
        [
          account,
          name,
          s.visibilityTimeout,
          s.retentionSeconds,
          s.delaySeconds,
          s.waitSeconds,
          s.maxMessageSize,
          s.redrivePolicy ? JSON.stringify(s.redrivePolicy) : null,
          JSON.stringify(tags),
          s.policy ?? null,
          s.fifo ? JSON.stringify(s.fifo) : null,
        ],
      );
      if (ins.rows[0]) return { queue: toQueue(ins.rows[0]), created: true };
      const existing = await this.get(account, name);
      // Deleted between the two statements: as if created by someone else and deleted.
      if (!existing) return this.create(account, name, s, tags);
      return { queue: existing, created: false };
    },
    async get(account, name) {
      const res = await db.query<QueueRow>(
        `SELECT ${QUEUE_COLUMNS} FROM sqs_queues WHERE account_id = $1 AND name = $2`,
        [account, name],
      );
      return res.rows[0] && toQueue(res.rows[0]);
    },
    async list(account, prefix, after, limit) {
      const res = await db.query<{ name: string }>(
        `SELECT name FROM sqs_queues WHERE account_id = $1 AND starts_with(name, $2) AND ($3::text IS NULL OR name > $3)
         ORDER BY name COLLATE "C" LIMIT $4`,
        [account, prefix, after ?? null, limit],
      );
      return res.rows.map((r) => r.name);
    },
    async remove(account, name) {
      const res = await db.query("DELETE FROM sqs_queues WHERE account_id = $1 AND name = $2", [account, name]);
      return res.rowCount === 1;
    },
    async update(queueId, s) {
      await db.query(
        `UPDATE sqs_queues SET visibility_timeout = $2, retention_seconds = $3, delay_seconds = $4, wait_seconds = $5,
           max_message_size = $6, redrive_policy = $7, policy = $8, fifo = $9, last_modified = now() WHERE id = $1`,
        [
          queueId,
          s.visibilityTimeout,
          s.retentionSeconds,
          s.delaySeconds,
          s.waitSeconds,
          s.maxMessageSize,
          s.redrivePolicy ? JSON.stringify(s.redrivePolicy) : null,
          s.policy ?? null,
          s.fifo ? JSON.stringify(s.fifo) : null,
        ],
      );
    },
    async tag(queueId, tags) {
      await db.query("UPDATE sqs_queues SET tags = tags || $2::jsonb WHERE id = $1", [queueId, JSON.stringify(tags)]);
    },
    async untag(queueId, keys) {
      await db.query("UPDATE sqs_queues SET tags = tags - $2::text[] WHERE id = $1", [queueId, keys]);
    },
    async counts(queue) {
      const res = await db.query<{ visible: string; in_flight: string; delayed: string }>(
        `SELECT count(*) FILTER (WHERE visible_at <= now()) AS visible,
           count(*) FILTER (WHERE visible_at > now() AND receive_count > 0) AS in_flight,
           count(*) FILTER (WHERE visible_at > now() AND receive_count = 0) AS delayed
         FROM sqs_messages WHERE queue_id = $1 AND sent_at > now() - make_interval(secs => $2)`,
        [queue.id, queue.settings.retentionSeconds],
      );
      const r = res.rows[0];
      return {
        visible: Number(r?.visible ?? 0),
        inFlight: Number(r?.in_flight ?? 0),
        delayed: Number(r?.delayed ?? 0),
      };
    },
    send: (queueId, messages) => insertMessages(db, queueId, messages),
    sendFifo: (queue, messages) => sendFifo(db, queue, messages),
    async receive(queue, limit, visibilitySeconds, dlqId) {
      if (queue.settings.fifo) return receiveFifo(db, queue, limit, visibilitySeconds, dlqId);
      const maxCount = dlqId ? (queue.settings.redrivePolicy?.maxReceiveCount ?? null) : null;
      // One statement: the picked rows are locked, then each is dropped (past its
      // retention), moved to the dead-letter queue (received maxReceiveCount times) or claimed.
      const res = await db.query<MessageRow & { outcome: string }>(
        `WITH picked AS (
           SELECT id, receive_count, sent_at <= now() - make_interval(secs => $6) AS expired FROM sqs_messages
           WHERE queue_id = $1 AND visible_at <= now() ORDER BY visible_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED),
         dropped AS (
           DELETE FROM sqs_messages m USING picked p WHERE m.id = p.id AND p.expired RETURNING m.id),
         moved AS (
           UPDATE sqs_messages m SET queue_id = $5, visible_at = now(), receive_count = 0, first_received_at = NULL,
             receipt = NULL
           FROM picked p WHERE m.id = p.id AND NOT p.expired AND $4::int IS NOT NULL AND p.receive_count >= $4
           RETURNING m.id),
         claimed AS (
           UPDATE sqs_messages m SET visible_at = now() + make_interval(secs => $3), receive_count = m.receive_count + 1,
             first_received_at = coalesce(m.first_received_at, now()), receipt = gen_random_uuid()
           FROM picked p WHERE m.id = p.id AND NOT p.expired AND ($4::int IS NULL OR p.receive_count < $4)
           RETURNING m.*),
         woken AS (
           SELECT pg_notify($7, $5::text) FROM (SELECT count(*) AS n FROM moved) c WHERE c.n > 0)
         SELECT 'claimed' AS outcome, id, body, attributes, md5_body, md5_attributes, sender_id, sent_at, receive_count,
           first_received_at, receipt::text AS receipt FROM claimed
         UNION ALL SELECT 'skipped', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM moved
         UNION ALL SELECT 'skipped', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM dropped
         UNION ALL SELECT 'woken', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM woken`,
        [queue.id, limit, visibilitySeconds, maxCount, dlqId ?? null, queue.settings.retentionSeconds, NOTIFY_CHANNEL],
      );
      const claimed = res.rows.filter((r) => r.outcome === "claimed").map(toMessage);
      // Claimed rows come back in no order: keep the queue's.
      claimed.sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
      return { messages: claimed, skipped: res.rows.filter((r) => r.outcome === "skipped").length };
    },
    async nextVisible(queueId) {
      const res = await db.query<{ at: Date | null }>(
        "SELECT min(visible_at) AS at FROM sqs_messages WHERE queue_id = $1",
        [queueId],
      );
      return res.rows[0]?.at ?? undefined;
    },
    async deleteMessage(queueId, id, receipt, wake = false) {
      const res = await db.query("DELETE FROM sqs_messages WHERE id = $1 AND queue_id = $2 AND receipt = $3", [
        id,
        queueId,
        receipt,
      ]);
      if (res.rowCount === 1 && wake) await db.query("SELECT pg_notify($1, $2)", [NOTIFY_CHANNEL, queueId]);
      return res.rowCount === 1;
    },
    async changeVisibility(queueId, id, receipt, seconds) {
      const res = await db.query(
        `UPDATE sqs_messages SET visible_at = now() + make_interval(secs => $4)
         WHERE id = $1 AND queue_id = $2 AND receipt = $3`,
        [id, queueId, receipt, seconds],
      );
      if (res.rowCount === 1 && seconds === 0) await db.query("SELECT pg_notify($1, $2)", [NOTIFY_CHANNEL, queueId]);
      return res.rowCount === 1;
    },
    async purge(queueId) {
      return db.transaction(async (c) => {
        const res = await c.query(
          `UPDATE sqs_queues SET purged_at = now() WHERE id = $1
             AND (purged_at IS NULL OR purged_at <= now() - interval '60 seconds')`,
          [queueId],
        );
        if (res.rowCount !== 1) return false;
        await c.query("DELETE FROM sqs_messages WHERE queue_id = $1", [queueId]);
        return true;
      });
    },
  };
}
