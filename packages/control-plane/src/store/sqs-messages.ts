// Writing messages into Stratus' SQS queues: the one statement that inserts them and
// wakes the queue's long polls when it commits (channel NOTIFY_CHANNEL, sqs/arrivals.ts).
// The queues' store sends with it (sqs/queue-store.ts); the async store writes an
// invocation's dead letter or destination record with it, in the transaction that
// ends the invocation, so a letter is never lost nor written for one that did not end.
import { randomUUID } from "node:crypto";
import type { BoundedDb } from "./pg-helpers.js";

export const NOTIFY_CHANNEL = "stratus_sqs";

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as both protocols carry it. */
  BinaryValue?: string;
}

export type MessageAttributes = Record<string, MessageAttribute>;

/** A message to write: its id, who sent it, and its delay already resolved. */
export interface OutgoingMessage {
  id: string;
  body: string;
  attributes: MessageAttributes;
  md5Body: string;
  md5Attributes?: string;
  senderId: string;
  delaySeconds: number;
  /** In a FIFO queue: its group, deduplication id and place in the queue's order (sqs/fifo-store.ts). */
  fifo?: { groupId: string; dedupId: string; sequence: number };
}

/** A message to write to the account's queue `queueName` (missing queue: nothing is written). */
export interface QueueLetter extends Pick<OutgoingMessage, "body" | "attributes" | "md5Body" | "md5Attributes"> {
  accountId: string;
  queueName: string;
}

/** Where an invocation's final failure is written, and what the service writing it adds. */
export interface DeadLetter {
  queueArn: string;
  kind: "events" | "scheduler";
  /** RULE_ARN / SCHEDULE_ARN, TARGET_ARN, EXECUTION_ID: known when the invocation is made. */
  attributes: Record<string, string>;
}

/**
 * Inserts `messages` into `queueId` and notifies its waiters at commit. `queueId` may
 * instead be resolved from (account, name) by the caller's query: see insertByName.
 */
export async function insertMessages(c: BoundedDb, queueId: string, messages: OutgoingMessage[]): Promise<void> {
  await c.query(
    `WITH ins AS (
       INSERT INTO sqs_messages (id, queue_id, body, attributes, md5_body, md5_attributes, sender_id, visible_at,
         group_id, dedup_id, sequence)
       SELECT id, $1, body, attributes, md5_body, md5_attributes, sender_id, now() + make_interval(secs => delay),
         group_id, dedup_id, sequence
       FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::text[], $8::int[], $10::text[],
           $11::text[], $12::bigint[])
         AS t(id, body, attributes, md5_body, md5_attributes, sender_id, delay, group_id, dedup_id, sequence)
       RETURNING 1)
     SELECT pg_notify($9, $1::text) FROM (SELECT count(*) AS n FROM ins) c WHERE c.n > 0`,
    [
      queueId,
      messages.map((m) => m.id),
      messages.map((m) => m.body),
      messages.map((m) => JSON.stringify(m.attributes)),
      messages.map((m) => m.md5Body),
      messages.map((m) => m.md5Attributes ?? null),
      messages.map((m) => m.senderId),
      messages.map((m) => m.delaySeconds),
      NOTIFY_CHANNEL,
      messages.map((m) => m.fifo?.groupId ?? null),
      messages.map((m) => m.fifo?.dedupId ?? null),
      messages.map((m) => m.fifo?.sequence ?? null),
    ],
  );
}

/**
 * Writes `message` to `account`'s queue `name` within the caller's transaction (a dead
 * letter committed with the invocation's end); false when there is no such queue. A
 * FIFO queue counts as none: its messages need a group (configurations naming one are
 * refused, sqs/queue-refs.ts).
 */
export async function insertByName(
  c: BoundedDb,
  account: string,
  name: string,
  message: Omit<OutgoingMessage, "id" | "delaySeconds">,
): Promise<boolean> {
  const q = await c.query<{ id: string; delay_seconds: number }>(
    "SELECT id, delay_seconds FROM sqs_queues WHERE account_id = $1 AND name = $2 AND fifo IS NULL",
    [account, name],
  );
  const row = q.rows[0];
  if (!row) return false;
  await insertMessages(c, String(row.id), [{ ...message, id: randomUUID(), delaySeconds: row.delay_seconds }]);
  return true;
}

/** A message to a queue target (EventBridge, Scheduler), and what is written instead when its queue is gone. */
export interface TargetLetter {
  letter: QueueLetter;
  /** The target's dead letter, written when the target's queue does not exist. */
  orElse?: QueueLetter;
}

/** Writes each delivery within the caller's transaction; how many were lost (neither queue exists). */
export async function writeTargetLetters(c: BoundedDb, letters: TargetLetter[]): Promise<number> {
  let lost = 0;
  for (const { letter, orElse } of letters) {
    if (await insertByName(c, letter.accountId, letter.queueName, { ...letter, senderId: letter.accountId })) continue;
    if (
      orElse &&
      (await insertByName(c, orElse.accountId, orElse.queueName, { ...orElse, senderId: orElse.accountId }))
    )
      continue;
    lost++;
  }
  return lost;
}
