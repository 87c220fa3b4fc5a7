// SQS's message operations: send (one or a batch), receive with long polling and the
// redrive to a dead-letter queue, delete and change visibility (one or a batch). A
// long poll claims at once if it can, else sleeps until a send wakes it (arrivals.ts),
// its queue's next message becomes visible, or its wait ends, and claims again. A
// FIFO queue's sends are deduplicated and numbered, and its receives keep each
// group's order (fifo-store.ts); deleting one of its messages wakes its long polls.
import { randomUUID } from "node:crypto";
import type { StratusError } from "@stratus/shared";
import type { MessageAttributes, OutgoingMessage } from "../store/sqs-messages.js";
import type { Arrivals } from "./arrivals.js";
import { sequenceNumber } from "./fifo-sends.js";
import { md5OfAttributes } from "./md5.js";
import { type NewMessage, newMessage } from "./message-input.js";
import { batchEntries, intParam, type Model, stringList } from "./params.js";
import { MAX_MESSAGE_BYTES } from "./queue-attributes.js";
import { parseQueueArn } from "./queue-names.js";
import type { SqsContext, SqsOp } from "./queue-service.js";
import type { Queue, QueueStore, StoredMessage } from "./queue-store.js";
import { parseReceiptHandle, receiptHandle } from "./receipt-handle.js";
import { sqsErrors } from "./sqs-errors.js";

/** The longest a poll sleeps before it claims again, whatever it expects. */
const REPOLL_MS = 5_000;

const SYSTEM_ATTRIBUTES = ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"];
/** Names SQS knows that a standard queue's messages never carry (a FIFO queue's carry the group's three). */
const ABSENT_ATTRIBUTES = [
  "AWSTraceHeader",
  "SequenceNumber",
  "MessageDeduplicationId",
  "MessageGroupId",
  "DeadLetterQueueSourceArn",
  "SqsManagedSseEnabled",
];

function systemAttributes(m: StoredMessage, names: string[]): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  const all = names.includes("All");
  const out: Record<string, string> = {};
  const want = (n: string) => all || names.includes(n);
  if (want("SenderId")) out.SenderId = m.senderId;
  if (want("SentTimestamp")) out.SentTimestamp = String(m.sentAt.getTime());
  if (want("ApproximateReceiveCount")) out.ApproximateReceiveCount = String(m.receiveCount);
  if (want("ApproximateFirstReceiveTimestamp") && m.firstReceivedAt) {
    out.ApproximateFirstReceiveTimestamp = String(m.firstReceivedAt.getTime());
  }
  if (m.fifo) {
    if (want("MessageGroupId")) out.MessageGroupId = m.fifo.groupId;
    if (want("MessageDeduplicationId")) out.MessageDeduplicationId = m.fifo.dedupId;
    if (want("SequenceNumber")) out.SequenceNumber = sequenceNumber(m.fifo.sequence);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The message attributes `names` select: All, .*, a name, or `prefix.*` (names starting with prefix). */
function selectAttributes(attrs: MessageAttributes, names: string[]): MessageAttributes {
  if (names.length === 0) return {};
  const out: MessageAttributes = {};
  for (const [name, a] of Object.entries(attrs)) {
    const hit = names.some(
      (n) => n === "All" || n === ".*" || n === name || (n.endsWith(".*") && name.startsWith(n.slice(0, -2))),
    );
    if (hit) out[name] = a;
  }
  return out;
}

const failed = (id: string, err: StratusError) => ({
  Id: id,
  SenderFault: err.status < 500,
  Code: err.code,
  Message: err.message,
});

export function createMessageOps(
  store: QueueStore,
  arrivals: Arrivals,
  queueOf: (account: string, body: Model) => Promise<Queue>,
) {
  async function dlqOf(queue: Queue): Promise<string | undefined> {
    const arn = queue.settings.redrivePolicy && parseQueueArn(queue.settings.redrivePolicy.deadLetterTargetArn);
    return arn ? (await store.get(queue.accountId, arn.name))?.id : undefined;
  }

  async function claim(queue: Queue, max: number, vt: number, waitSeconds: number, signal?: AbortSignal) {
    const deadline = Date.now() + waitSeconds * 1000;
    const dlqId = await dlqOf(queue);
    for (;;) {
      const r = await store.receive(queue, max, vt, dlqId);
      if (r.messages.length > 0) return r.messages;
      if (r.skipped > 0) continue;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return [];
      const next = r.nextVisible !== undefined ? r.nextVisible : await store.nextVisible(queue.id);
      const untilNext = next ? Math.max(next.getTime() - Date.now(), 20) : left;
      await arrivals.wait(queue.id, Math.min(left, untilNext, REPOLL_MS), signal);
      if (signal?.aborted) return [];
    }
  }

  function handleOf(queue: Queue, v: unknown) {
    return parseReceiptHandle(v, queue.id);
  }

  /** Writes `ready` to `q`: per message, the id (and in a FIFO queue the sequence number) its send answers. */
  async function enqueue(
    q: Queue,
    account: string,
    ready: { m: NewMessage; id: string }[],
  ): Promise<{ MessageId: string; SequenceNumber?: string }[]> {
    const outgoing = ({ m, id }: { m: NewMessage; id: string }): OutgoingMessage => ({
      id,
      body: m.body,
      attributes: m.attributes,
      md5Body: m.md5Body,
      ...(m.md5Attributes ? { md5Attributes: m.md5Attributes } : {}),
      senderId: account,
      delaySeconds: m.delaySeconds ?? q.settings.delaySeconds,
    });
    if (!q.settings.fifo) {
      await store.send(q.id, ready.map(outgoing));
      arrivals.notify(q.id);
      return ready.map((r) => ({ MessageId: r.id }));
    }
    const sent = await store.sendFifo(
      q,
      ready.map((r) => {
        // newMessage gives every message to a FIFO queue its ids, or refuses it.
        if (!r.m.fifo) throw new Error(`a message to the FIFO queue ${q.name} without a group`);
        return { ...outgoing(r), ...r.m.fifo };
      }),
    );
    if (sent.some((s) => !s.duplicate)) arrivals.notify(q.id);
    return sent.map((s) => ({ MessageId: s.messageId, SequenceNumber: s.sequenceNumber }));
  }

  async function deleteOne(q: Queue, handle: unknown): Promise<void> {
    const r = handleOf(q, handle);
    // As SQS: a handle of an earlier receive, or of a message already deleted, deletes nothing and is no error.
    const fifo = q.settings.fifo !== undefined;
    if ((await store.deleteMessage(q.id, r.messageId, r.token, fifo)) && fifo) arrivals.notify(q.id);
  }

  const ops = {
    async SendMessage(account: string, b: Model) {
      const q = await queueOf(account, b);
      const m = newMessage(b, q.settings.maxMessageSize, q.settings.fifo);
      const [sent] = await enqueue(q, account, [{ m, id: randomUUID() }]);
      return {
        MD5OfMessageBody: m.md5Body,
        ...(m.md5Attributes ? { MD5OfMessageAttributes: m.md5Attributes } : {}),
        ...sent,
      };
    },
    async SendMessageBatch(account: string, b: Model) {
      const q = await queueOf(account, b);
      const entries = batchEntries(b);
      const Successful: Model[] = [];
      const Failed: Model[] = [];
      const ready: { m: NewMessage; id: string }[] = [];
      let total = 0;
      for (const e of entries) {
        const id = e.Id as string;
        try {
          const m = newMessage(e, q.settings.maxMessageSize, q.settings.fifo);
          total += Buffer.byteLength(m.body) + Buffer.byteLength(JSON.stringify(m.attributes));
          ready.push({ m, id: randomUUID() });
          Successful.push({
            Id: id,
            MD5OfMessageBody: m.md5Body,
            ...(m.md5Attributes ? { MD5OfMessageAttributes: m.md5Attributes } : {}),
          });
        } catch (err) {
          if ((err as StratusError).kind !== "client") throw err;
          Failed.push(failed(id, err as StratusError));
        }
      }
      if (total > MAX_MESSAGE_BYTES) {
        throw sqsErrors.batchTooLong(`Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes.`);
      }
      if (ready.length > 0) {
        const sent = await enqueue(q, account, ready);
        sent.forEach((s, i) => {
          Object.assign(Successful[i] as Model, s);
        });
      }
      return { Successful, Failed };
    },
    async ReceiveMessage(account: string, b: Model, ctx: SqsContext) {
      const q = await queueOf(account, b);
      const max = intParam(b, "MaxNumberOfMessages", 1, 10) ?? 1;
      const vt = intParam(b, "VisibilityTimeout", 0, 43_200) ?? q.settings.visibilityTimeout;
      const wait = intParam(b, "WaitTimeSeconds", 0, 20) ?? q.settings.waitSeconds;
      const sysNames = [...stringList(b, "AttributeNames"), ...stringList(b, "MessageSystemAttributeNames")];
      for (const n of sysNames) {
        if (n !== "All" && !SYSTEM_ATTRIBUTES.includes(n) && !ABSENT_ATTRIBUTES.includes(n)) {
          throw sqsErrors.invalidAttributeName(`Unknown Attribute ${n.slice(0, 256)}.`);
        }
      }
      const attrNames = stringList(b, "MessageAttributeNames");
      const attempt = b.ReceiveRequestAttemptId;
      if (q.settings.fifo && attempt !== undefined && attempt !== null) {
        throw sqsErrors.invalidParameter(
          "ReceiveRequestAttemptId is not implemented by Stratus: receive without it (a message received and not deleted is received again, first in its group, when its visibility timeout ends).",
        );
      }
      const messages = await claim(q, max, vt, wait, ctx.signal);
      if (messages.length === 0) return {};
      return {
        Messages: messages.map((m) => {
          const attrs = selectAttributes(m.attributes, attrNames);
          const md5 = md5OfAttributes(attrs);
          const sys = systemAttributes(m, sysNames);
          return {
            MessageId: m.id,
            ReceiptHandle: receiptHandle({ queueId: q.id, messageId: m.id, token: m.receipt }),
            MD5OfBody: m.md5Body,
            Body: m.body,
            ...(sys ? { Attributes: sys } : {}),
            ...(md5 ? { MD5OfMessageAttributes: md5, MessageAttributes: attrs } : {}),
          };
        }),
      };
    },
    async DeleteMessage(account: string, b: Model) {
      const q = await queueOf(account, b);
      await deleteOne(q, b.ReceiptHandle);
      return {};
    },
    async DeleteMessageBatch(account: string, b: Model) {
      const q = await queueOf(account, b);
      const Successful: Model[] = [];
      const Failed: Model[] = [];
      for (const e of batchEntries(b)) {
        try {
          await deleteOne(q, e.ReceiptHandle);
          Successful.push({ Id: e.Id });
        } catch (err) {
          if ((err as StratusError).kind !== "client") throw err;
          Failed.push(failed(e.Id as string, err as StratusError));
        }
      }
      return { Successful, Failed };
    },
    async ChangeMessageVisibility(account: string, b: Model) {
      const q = await queueOf(account, b);
      await changeVisibility(q, b);
      return {};
    },
    async ChangeMessageVisibilityBatch(account: string, b: Model) {
      const q = await queueOf(account, b);
      const Successful: Model[] = [];
      const Failed: Model[] = [];
      for (const e of batchEntries(b)) {
        try {
          await changeVisibility(q, e);
          Successful.push({ Id: e.Id });
        } catch (err) {
          if ((err as StratusError).kind !== "client") throw err;
          Failed.push(failed(e.Id as string, err as StratusError));
        }
      }
      return { Successful, Failed };
    },
  } satisfies Record<string, SqsOp>;

  async function changeVisibility(q: Queue, e: Model): Promise<void> {
    const r = handleOf(q, e.ReceiptHandle);
    const seconds = intParam(e, "VisibilityTimeout", 0, 43_200);
    if (seconds === undefined) throw sqsErrors.missingParameter("VisibilityTimeout");
    if (!(await store.changeVisibility(q.id, r.messageId, r.token, seconds))) {
      throw sqsErrors.invalidReceiptHandle(
        "Value for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired (the message was received again or deleted).",
      );
    }
    if (seconds === 0) arrivals.notify(q.id);
  }

  return ops;
}
