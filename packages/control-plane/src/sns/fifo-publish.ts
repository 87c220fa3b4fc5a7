// Publishing to a FIFO topic: the messages (one, or a batch's valid entries in order)
// are deduplicated and numbered under the topic's lock (store publishFifo), and only
// the fresh ones are fanned out, each carrying its group, deduplication id and the
// topic's sequence number, in the transaction that numbers them. A duplicate within
// 5 minutes is answered with the first message's id and sequence number and delivers
// nothing. Publishes of one topic commit one after the other, so each group's messages
// reach its FIFO queues in the order they were published.
import { randomUUID } from "node:crypto";
import { sequenceNumber } from "../sqs/fifo-sends.js";
import type { FanoutCount } from "../store/deliveries.js";
import type { Subscription } from "../store/sns-store.js";
import type { Fanout } from "./fanout.js";
import type { FifoTopicStore, SnsDeliveries } from "./fifo-topic-store.js";
import type { FifoIds } from "./fifo-topics.js";
import type { Published } from "./notification.js";
import { topicNotFound } from "./sns-errors.js";

export type MessageFields = Pick<Published, "message" | "subject" | "attributes">;

export interface FifoPublished {
  /** Per entry, in order: what it is answered. */
  answers: { MessageId: string; SequenceNumber: string }[];
  count: FanoutCount;
  lost: number;
  invocations: number;
  /** How many were not duplicates. */
  fresh: number;
}

export async function publishFifo(
  store: FifoTopicStore,
  fanout: Pick<Fanout, "fanOut">,
  topic: { id: string; arn: string; subscriptions: Subscription[] },
  entries: { m: MessageFields; ids: FifoIds }[],
): Promise<FifoPublished> {
  const sends = entries.map((e) => ({ dedupId: e.ids.dedupId, messageId: randomUUID() }));
  const timestamp = new Date();
  let count: FanoutCount = { delivered: 0, filtered: 0, failed: 0 };
  const done = await store.publishFifo(topic.id, sends, async (answers) => {
    const into: SnsDeliveries = { invocations: [], letters: [], starts: [] };
    count = { delivered: 0, filtered: 0, failed: 0 };
    for (const [i, a] of answers.entries()) {
      const e = entries[i];
      if (a.duplicate || !e) continue;
      const p: Published = {
        ...e.m,
        messageId: a.messageId,
        topicArn: topic.arn,
        timestamp,
        fifo: { ...e.ids, sequenceNumber: sequenceNumber(a.sequence) },
      };
      await fanout.fanOut(topic.subscriptions, p, into, count);
    }
    return into;
  });
  if (!done) throw topicNotFound();
  return {
    answers: done.answers.map((a) => ({ MessageId: a.messageId, SequenceNumber: sequenceNumber(a.sequence) })),
    count,
    lost: done.lost,
    invocations: done.invocations,
    fresh: done.answers.filter((a) => !a.duplicate).length,
  };
}
