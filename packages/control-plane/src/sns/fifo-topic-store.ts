// FIFO topics' deduplication and numbering (migration 054), committed with the
// deliveries of the messages they number: the only place that SQL lives. A publish
// locks its topic's row in sns_topic_sequences for its transaction, so the publishes
// of one topic, from any control plane, are deduplicated, numbered and committed one
// after the other: sequence numbers rise in commit order, and each group's messages
// reach a FIFO queue in that order (sqs/fifo-letters.ts, in the same transaction).
import type { Pool } from "pg";
import { type FifoLetter, writeFifoLetters } from "../sqs/fifo-letters.js";
import { type Accepted, DEDUP_WINDOW_SECONDS, dedupKey, planSend } from "../sqs/fifo-sends.js";
import type { Deliveries } from "../store/deliveries.js";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "../store/pg-helpers.js";
import { writeFiring } from "../store/schedule-store.js";

/** A publish's deliveries, with a FIFO topic's messages to FIFO queues. */
export interface SnsDeliveries extends Deliveries {
  fifoLetters?: FifoLetter[];
}

/** What a FIFO topic answers a message: its id and sequence number, or a duplicate's. */
export type FifoAnswer = Accepted & { duplicate: boolean };

export interface FifoTopicStore {
  /**
   * Publishes to the FIFO topic `topicId` the messages `sends` (in order): locks the
   * topic's sequence, answers a deduplication id accepted in the last 5 minutes (or
   * earlier in `sends`) with that message, numbers the others, and commits what `build`
   * makes of them (the fresh ones, numbered) with their ids, in one transaction.
   * Undefined when the topic is gone.
   */
  publishFifo(
    topicId: string,
    sends: { dedupId: string; messageId: string }[],
    build: (answers: FifoAnswer[]) => Promise<SnsDeliveries>,
  ): Promise<{ answers: FifoAnswer[]; lost: number; invocations: number } | undefined>;
}

export function createPgFifoTopicStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): FifoTopicStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    async publishFifo(topicId, sends, build) {
      try {
        return await db.transaction(async (c) => {
          const seq = await c.query<{ last: string }>(
            `INSERT INTO sns_topic_sequences (topic_id, last) VALUES ($1, 0)
             ON CONFLICT (topic_id) DO UPDATE SET last = sns_topic_sequences.last RETURNING last`,
            [topicId],
          );
          const known = await c.query<{ dedup_id: string; message_id: string; sequence: string }>(
            `WITH expired AS (DELETE FROM sns_deduplication WHERE topic_id = $1 AND expires_at <= now())
             SELECT dedup_id, message_id::text AS message_id, sequence FROM sns_deduplication
              WHERE topic_id = $1 AND expires_at > now() AND dedup_id = ANY($2::text[])`,
            [topicId, sends.map((s) => s.dedupId)],
          );
          const accepted = new Map(
            known.rows.map((r) => [
              dedupKey("", r.dedup_id),
              { messageId: r.message_id, sequence: Number(r.sequence) },
            ]),
          );
          const plan = planSend(
            sends.map((s) => ({ scope: "", ...s })),
            accepted,
            Number(seq.rows[0]?.last ?? 0),
          );
          const d = await build(plan.answers);
          const fired = { written: 0, lost: 0 };
          await writeFiring(c, { ...d, remove: false }, fired);
          const lost = fired.lost + (d.fifoLetters?.length ? await writeFifoLetters(c, d.fifoLetters) : 0);
          if (plan.fresh.length > 0) {
            await c.query(
              `WITH accepted AS (
                 INSERT INTO sns_deduplication (topic_id, dedup_id, message_id, sequence, expires_at)
                 SELECT $1, dedup_id, message_id, sequence, now() + make_interval(secs => $5)
                   FROM unnest($2::text[], $3::uuid[], $4::bigint[]) AS t(dedup_id, message_id, sequence))
               UPDATE sns_topic_sequences SET last = $6 WHERE topic_id = $1`,
              [
                topicId,
                plan.fresh.map((i) => sends[i]?.dedupId),
                plan.fresh.map((i) => plan.answers[i]?.messageId),
                plan.fresh.map((i) => plan.answers[i]?.sequence),
                DEDUP_WINDOW_SECONDS,
                plan.last,
              ],
            );
          }
          return { answers: plan.answers, lost, invocations: d.invocations.length };
        });
      } catch (err) {
        // The topic was deleted since it was looked up.
        if ((err as { code?: unknown }).code === "23503") return undefined;
        throw err;
      }
    },
  };
}
