// FIFO queues' sends and receives (migration 049).
//
// A send locks its queue's row in sqs_sequences for its transaction: the sends of one
// queue, from any control plane, are deduplicated (fifo-sends.ts), numbered and
// committed one after the other, so sequence numbers rise in commit order.
//
// A receive holds a transaction-scoped advisory lock on its queue: the receives of one
// FIFO queue, from any control plane, run one at a time, and each sees what the one
// before committed. It takes, in sequence order, visible messages of groups with no
// message in flight (received, not deleted, not visible again) and none hidden before
// them, so a group's messages go out in order and never to two receivers at once; a
// message whose visibility ends is the first of its group again. As in a standard
// queue, a message past its retention is dropped, and one received maxReceiveCount
// times is moved to the (FIFO) dead-letter queue, numbered there after its last.
import type { BoundedDb, Db } from "../store/pg-helpers.js";
import { insertMessages, NOTIFY_CHANNEL, type OutgoingMessage } from "../store/sqs-messages.js";
import { type Accepted, DEDUP_WINDOW_SECONDS, dedupKey, dedupScope, planSend, sequenceNumber } from "./fifo-sends.js";
import { type MessageRow, toMessage } from "./message-rows.js";
import type { Queue, ReceiveResult } from "./queue-shapes.js";
import { sqsErrors } from "./sqs-errors.js";

export interface FifoOutgoing extends Omit<OutgoingMessage, "fifo"> {
  groupId: string;
  dedupId: string;
}

export interface FifoSent {
  messageId: string;
  sequenceNumber: string;
  /** Its deduplication id was accepted in the last 5 minutes: nothing was enqueued. */
  duplicate: boolean;
}

/** The advisory lock class of FIFO receives (the queue's id is the second key). */
const RECEIVE_LOCK = 0x57a7_0003;

const fkViolation = (err: unknown) => (err as { code?: unknown }).code === "23503";

/** Locks the queue's sequence row (made on its first send) and reads its last number. */
async function lockSequence(c: BoundedDb, queueId: string): Promise<number> {
  const res = await c.query<{ last: string }>(
    `INSERT INTO sqs_sequences (queue_id, last) VALUES ($1, 0)
     ON CONFLICT (queue_id) DO UPDATE SET last = sqs_sequences.last RETURNING last`,
    [queueId],
  );
  return Number(res.rows[0]?.last ?? 0);
}

export async function sendFifo(db: Db, queue: Queue, messages: FifoOutgoing[]): Promise<FifoSent[]> {
  try {
    return await db.transaction((c) => sendFifoIn(c, queue, messages));
  } catch (err) {
    // The queue was deleted since it was looked up.
    if (fkViolation(err)) throw sqsErrors.noQueue();
    throw err;
  }
}

/** sendFifo within the caller's transaction (an SNS FIFO topic's deliveries, committed with its publish). */
export async function sendFifoIn(
  c: BoundedDb,
  queue: Pick<Queue, "id" | "name"> & { settings: Pick<Queue["settings"], "fifo"> },
  messages: FifoOutgoing[],
): Promise<FifoSent[]> {
  const fifo = queue.settings.fifo;
  if (!fifo) throw new Error(`sendFifo: ${queue.name} is not a FIFO queue`);
  const sends = messages.map((m) => ({ scope: dedupScope(fifo, m.groupId), dedupId: m.dedupId, messageId: m.id }));
  const last = await lockSequence(c, queue.id);
  const known = await c.query<{ scope: string; dedup_id: string; message_id: string; sequence: string }>(
    `WITH expired AS (DELETE FROM sqs_deduplication WHERE queue_id = $1 AND expires_at <= now())
     SELECT scope, dedup_id, message_id::text AS message_id, sequence FROM sqs_deduplication
     WHERE queue_id = $1 AND expires_at > now()
       AND (scope, dedup_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [queue.id, sends.map((s) => s.scope), sends.map((s) => s.dedupId)],
  );
  const accepted = new Map<string, Accepted>(
    known.rows.map((r) => [dedupKey(r.scope, r.dedup_id), { messageId: r.message_id, sequence: Number(r.sequence) }]),
  );
  const plan = planSend(sends, accepted, last);
  if (plan.fresh.length > 0) {
    const fresh = plan.fresh.map((i) => {
      const { groupId, dedupId, ...m } = messages[i] as FifoOutgoing;
      return { ...m, fifo: { groupId, dedupId, sequence: (plan.answers[i] as Accepted).sequence } };
    });
    await insertMessages(c, queue.id, fresh);
    await c.query(
      `WITH accepted AS (
         INSERT INTO sqs_deduplication (queue_id, scope, dedup_id, message_id, sequence, expires_at)
         SELECT $1, scope, dedup_id, message_id, sequence, now() + make_interval(secs => $6)
         FROM unnest($2::text[], $3::text[], $4::uuid[], $5::bigint[]) AS t(scope, dedup_id, message_id, sequence))
       UPDATE sqs_sequences SET last = $7 WHERE queue_id = $1`,
      [
        queue.id,
        plan.fresh.map((i) => sends[i]?.scope),
        plan.fresh.map((i) => sends[i]?.dedupId),
        plan.fresh.map((i) => plan.answers[i]?.messageId),
        plan.fresh.map((i) => plan.answers[i]?.sequence),
        DEDUP_WINDOW_SECONDS,
        plan.last,
      ],
    );
  }
  return plan.answers.map((a) => ({
    messageId: a.messageId,
    sequenceNumber: sequenceNumber(a.sequence),
    duplicate: a.duplicate,
  }));
}

const CLAIMED_COLUMNS = `id, body, attributes, md5_body, md5_attributes, sender_id, sent_at, receive_count,
  first_received_at, receipt::text AS receipt, group_id, dedup_id, sequence`;

export async function receiveFifo(
  db: Db,
  queue: Queue,
  limit: number,
  visibilitySeconds: number,
  dlqId: string | undefined,
): Promise<ReceiveResult> {
  const maxCount = dlqId ? queue.settings.redrivePolicy?.maxReceiveCount : undefined;
  return db.transaction(async (c) => {
    await c.query("SELECT pg_advisory_xact_lock($1, ($2::bigint % 2147483647)::int)", [RECEIVE_LOCK, queue.id]);
    // Under the lock, a statement sees every receive before this one. `held`: per group
    // with hidden messages, whether one is in flight, and the first hidden (a delayed one).
    const picked = await c.query<{ id: string; receive_count: number; expired: boolean }>(
      `WITH held AS (
         SELECT group_id, bool_or(receive_count > 0) AS in_flight, min(sequence) AS first_hidden
         FROM sqs_messages WHERE queue_id = $1 AND visible_at > now() GROUP BY group_id)
       SELECT m.id, m.receive_count, m.sent_at <= now() - make_interval(secs => $3) AS expired
       FROM sqs_messages m LEFT JOIN held h ON h.group_id = m.group_id
       WHERE m.queue_id = $1 AND m.visible_at <= now()
         AND (h.group_id IS NULL OR (NOT h.in_flight AND m.sequence < h.first_hidden))
       ORDER BY m.sequence LIMIT $2 FOR UPDATE OF m`,
      [queue.id, limit, queue.settings.retentionSeconds],
    );
    const rows = picked.rows;
    const dropped = rows.filter((r) => r.expired).map((r) => r.id);
    const moved = rows
      .filter((r) => !r.expired && maxCount !== undefined && r.receive_count >= maxCount)
      .map((r) => r.id);
    const taken = rows.filter((r) => !dropped.includes(r.id) && !moved.includes(r.id)).map((r) => r.id);
    if (dropped.length > 0) await c.query("DELETE FROM sqs_messages WHERE id = ANY($1::uuid[])", [dropped]);
    if (moved.length > 0 && dlqId) {
      await c.query(
        `WITH numbered AS (
           INSERT INTO sqs_sequences (queue_id, last) VALUES ($2, $3)
           ON CONFLICT (queue_id) DO UPDATE SET last = sqs_sequences.last + $3 RETURNING last),
         moved AS (
           UPDATE sqs_messages m SET queue_id = $2, sequence = s.last - $3 + t.ord, visible_at = now(),
             receive_count = 0, first_received_at = NULL, receipt = NULL
           FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, ord), numbered s WHERE m.id = t.id RETURNING 1)
         SELECT pg_notify($4, $2::text) FROM (SELECT count(*) AS k FROM moved) c WHERE c.k > 0`,
        [moved, dlqId, moved.length, NOTIFY_CHANNEL],
      );
    }
    const claimed =
      taken.length === 0
        ? []
        : (
            await c.query<MessageRow>(
              `UPDATE sqs_messages m SET visible_at = now() + make_interval(secs => $2),
                 receive_count = m.receive_count + 1, first_received_at = coalesce(m.first_received_at, now()),
                 receipt = gen_random_uuid()
               WHERE m.id = ANY($1::uuid[]) RETURNING ${CLAIMED_COLUMNS}`,
              [taken, visibilitySeconds],
            )
          ).rows.map(toMessage);
    claimed.sort((a, b) => (a.fifo?.sequence ?? 0) - (b.fifo?.sequence ?? 0));
    const skipped = dropped.length + moved.length;
    if (claimed.length > 0 || skipped > 0) return { messages: claimed, skipped };
    // Nothing to take: the queue changes by itself next when a hidden message shows.
    const next = await c.query<{ at: Date | null }>(
      "SELECT min(visible_at) AS at FROM sqs_messages WHERE queue_id = $1 AND visible_at > now()",
      [queue.id],
    );
    return { messages: [], skipped: 0, nextVisible: next.rows[0]?.at ?? null };
  });
}
