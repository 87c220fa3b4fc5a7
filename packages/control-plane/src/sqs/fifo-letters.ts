// Messages an SNS FIFO topic delivers to its FIFO queue subscriptions, written in the
// publish's transaction through the queues' own FIFO send (fifo-store.ts sendFifoIn):
// each keeps the topic message's group and deduplication id, so the queue numbers
// them in publish order and its own 5-minute deduplication applies. Queues are
// written in the order of their ids, so two publishes never wait on each other's locks.
import { randomUUID } from "node:crypto";
import type { BoundedDb } from "../store/pg-helpers.js";
import type { QueueLetter } from "../store/sqs-messages.js";
import type { FifoSettings } from "./fifo-attributes.js";
import { sendFifoIn } from "./fifo-store.js";

export interface FifoLetter extends QueueLetter {
  groupId: string;
  dedupId: string;
}

/** Writes `letters` (in order per queue) within the caller's transaction; how many were lost (no such FIFO queue). */
export async function writeFifoLetters(c: BoundedDb, letters: FifoLetter[]): Promise<number> {
  const byQueue = new Map<string, FifoLetter[]>();
  for (const l of letters) {
    const key = `${l.accountId}\n${l.queueName}`;
    byQueue.set(key, [...(byQueue.get(key) ?? []), l]);
  }
  const found = await c.query<{
    id: string;
    account_id: string;
    name: string;
    delay_seconds: number;
    fifo: FifoSettings;
  }>(
    `SELECT q.id::text AS id, q.account_id, q.name, q.delay_seconds, q.fifo FROM sqs_queues q
       JOIN unnest($1::text[], $2::text[]) AS t(account_id, name) ON q.account_id = t.account_id AND q.name = t.name
      WHERE q.fifo IS NOT NULL ORDER BY q.id`,
    [[...byQueue.values()].map((ls) => ls[0]?.accountId), [...byQueue.values()].map((ls) => ls[0]?.queueName)],
  );
  let written = 0;
  for (const q of found.rows) {
    const mine = byQueue.get(`${q.account_id}\n${q.name}`) ?? [];
    await sendFifoIn(
      c,
      { id: q.id, name: q.name, settings: { fifo: q.fifo } },
      mine.map((l) => ({
        id: randomUUID(),
        body: l.body,
        attributes: l.attributes,
        md5Body: l.md5Body,
        ...(l.md5Attributes ? { md5Attributes: l.md5Attributes } : {}),
        senderId: l.accountId,
        delaySeconds: q.delay_seconds,
        groupId: l.groupId,
        dedupId: l.dedupId,
      })),
    );
    written += mine.length;
  }
  return letters.length - written;
}
