// Deduplication and numbering of one send to a FIFO queue (one message, or a batch's
// in order), decided from the ids the queue accepted in the last 5 minutes: a message
// whose deduplication id (in the queue, or in its group with DeduplicationScope
// messageGroup) was accepted before, or earlier in the same batch, is answered with
// that message's id and sequence number and enqueues nothing; the others are
// numbered after the queue's last sequence.
import type { FifoSettings } from "./fifo-attributes.js";

export const DEDUP_WINDOW_SECONDS = 300;

export interface Accepted {
  messageId: string;
  sequence: number;
}

export interface SendPlan {
  /** Per message, in order: what the send answers. */
  answers: (Accepted & { duplicate: boolean })[];
  /** The indexes of the messages to enqueue, each numbered as its answer says. */
  fresh: number[];
  /** The queue's last sequence after the send. */
  last: number;
}

/** Where a deduplication id counts: '' for the whole queue, else the message's group. */
export const dedupScope = (fifo: FifoSettings, groupId: string) =>
  fifo.deduplicationScope === "messageGroup" ? groupId : "";

/** The key `accepted` is looked up by (ids are printable ASCII: no newline). */
export const dedupKey = (scope: string, dedupId: string) => `${scope}\n${dedupId}`;

export function planSend(
  sends: readonly { scope: string; dedupId: string; messageId: string }[],
  accepted: ReadonlyMap<string, Accepted>,
  last: number,
): SendPlan {
  const seen = new Map(accepted);
  const answers: SendPlan["answers"] = [];
  const fresh: number[] = [];
  let n = last;
  sends.forEach((s, i) => {
    const key = dedupKey(s.scope, s.dedupId);
    const before = seen.get(key);
    if (before) {
      answers.push({ ...before, duplicate: true });
      return;
    }
    n += 1;
    const made = { messageId: s.messageId, sequence: n };
    seen.set(key, made);
    answers.push({ ...made, duplicate: false });
    fresh.push(i);
  });
  return { answers, fresh, last: n };
}

/** A sequence number as SQS writes them: a decimal string (20 digits here), rising with `n`. */
export const sequenceNumber = (n: number) => (10n ** 19n + BigInt(n)).toString();
