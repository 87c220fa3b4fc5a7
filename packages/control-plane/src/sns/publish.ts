// Publish and PublishBatch. A message is checked as SNS checks it, matched against
// every subscription of its topic, and its deliveries (async invocations, queue
// messages) are committed in one transaction before the answer: a MessageId answered
// is a message whose deliveries are durable. A FIFO topic's messages are deduplicated
// and numbered first (fifo-publish.ts).
import { randomUUID } from "node:crypto";
import { StratusError } from "@stratus/shared";
import type { Counter } from "prom-client";
import type { Deliveries } from "../store/deliveries.js";
import type { SnsStore, Subscription } from "../store/sns-store.js";
import type { Fanout, FanoutCount } from "./fanout.js";
import { publishFifo } from "./fifo-publish.js";
import type { FifoTopicStore } from "./fifo-topic-store.js";
import { type FifoIds, fifoIds, isFifoTopic } from "./fifo-topics.js";
import type { Published } from "./notification.js";
import { snsErrors, topicNotFound } from "./sns-errors.js";
import { type Body, type MessageAttribute, messageAttributes, onlyKnown, optional, required } from "./sns-input.js";
import { parseTopicArn } from "./sns-names.js";

/** SNS's limit on a message: its text and its attributes' names, types and values together. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_BATCH = 10;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MESSAGE_KNOWN = ["Message", "Subject", "MessageStructure", "MessageAttributes"];

export interface SnsCounters {
  /** Messages accepted by Publish and PublishBatch. */
  published: Pick<Counter, "inc">;
  /** Deliveries by outcome: delivered (committed), filtered (its policy refused it), failed. */
  deliveries: Pick<Counter<"outcome">, "inc">;
}

/** Counts `messages` published and what their deliveries came to (`lost`: to queues that were gone). */
export function countPublished(counters: SnsCounters, count: FanoutCount, lost: number, messages: number): void {
  counters.published.inc(messages);
  if (count.delivered - lost > 0) counters.deliveries.inc({ outcome: "delivered" }, count.delivered - lost);
  if (count.filtered > 0) counters.deliveries.inc({ outcome: "filtered" }, count.filtered);
  if (count.failed + lost > 0) counters.deliveries.inc({ outcome: "failed" }, count.failed + lost);
}

const bytes = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s));

function attributesSize(attributes: Record<string, MessageAttribute>): number {
  let n = 0;
  for (const [name, a] of Object.entries(attributes))
    n += bytes(name) + bytes(a.DataType) + bytes(a.StringValue ?? a.BinaryValue);
  return n;
}

/** A message's fields checked, as `Published` less its id, topic and time (also sns:publish tasks'). */
export function readMessage(b: Body): Pick<Published, "message" | "subject" | "attributes"> & { size: number } {
  const text = required(b, "Message");
  const subject = optional(b, "Subject");
  if (
    subject !== undefined &&
    (subject.length === 0 || subject.length > 100 || !/^[\x20-\x7e]+$/.test(subject) || /^\s/.test(subject))
  ) {
    throw snsErrors.invalidParameter("Subject: must be 1 to 100 printable ASCII characters, not starting with a space");
  }
  const attributes = messageAttributes(b);
  const size = bytes(text) + attributesSize(attributes);
  if (size > MAX_MESSAGE_BYTES)
    throw snsErrors.invalidParameter("Message too long: a message and its attributes are at most 262144 bytes");
  const structure = optional(b, "MessageStructure");
  if (structure === undefined)
    return { message: () => text, ...(subject !== undefined ? { subject } : {}), attributes, size };
  if (structure !== "json") throw snsErrors.invalidParameter("MessageStructure: must be json");
  return { message: byProtocol(text), ...(subject !== undefined ? { subject } : {}), attributes, size };
}

/** MessageStructure json: the message each protocol gets from `text` (its key, else `default`), checked. */
export function byProtocol(text: string): (protocol: string) => string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const messages = parsed as Record<string, unknown> | undefined;
  if (
    typeof messages !== "object" ||
    messages === null ||
    Array.isArray(messages) ||
    typeof messages.default !== "string"
  ) {
    throw snsErrors.invalidParameter("Message Structure - No default entry in JSON message body");
  }
  if (Object.values(messages).some((v) => typeof v !== "string")) {
    throw snsErrors.invalidParameter("Message Structure - every protocol's message must be a string");
  }
  return (protocol: string) => {
    const v = messages[protocol];
    return typeof v === "string" ? v : (messages.default as string);
  };
}

export function createPublish(
  store: Pick<SnsStore, "getTopic" | "subscriptionsOf" | "accept">,
  fifoStore: FifoTopicStore,
  fanout: Pick<Fanout, "fanOut">,
  relay: { nudge(): void },
  counters: SnsCounters,
  region: string,
) {
  /** The caller's topic `arn` names, and its subscriptions. */
  async function topicOf(accountId: string, arn: string) {
    const ref = parseTopicArn(arn);
    if (!ref) throw snsErrors.invalidParameter(`TopicArn: ${arn.slice(0, 300)} is not a topic ARN`);
    const topic =
      ref.region === region && ref.accountId === accountId ? await store.getTopic(accountId, ref.name) : undefined;
    if (!topic) throw topicNotFound();
    const subscriptions: Subscription[] = await store.subscriptionsOf(accountId, ref.name);
    return {
      id: topic.id,
      topicArn: arn,
      arn,
      subscriptions,
      fifo: isFifoTopic(topic.name),
      contentBasedDeduplication: topic.attributes.ContentBasedDeduplication === "true",
    };
  }

  /** Publishes `entries` to the FIFO topic, counting them; per entry, its answer. */
  async function toFifo(
    topic: Awaited<ReturnType<typeof topicOf>>,
    entries: { m: ReturnType<typeof readMessage>; ids: FifoIds }[],
  ) {
    if (entries.length === 0) return [];
    const done = await publishFifo(fifoStore, fanout, topic, entries);
    if (done.invocations > 0) relay.nudge();
    countPublished(counters, done.count, done.lost, done.fresh);
    return done.answers;
  }

  async function commit(into: Deliveries, count: FanoutCount, messages: number): Promise<void> {
    const lost = await store.accept(into);
    if (into.invocations.length > 0) relay.nudge();
    countPublished(counters, count, lost, messages);
  }

  const fresh = () => ({
    into: { invocations: [], letters: [], starts: [] } as Deliveries,
    count: { delivered: 0, filtered: 0, failed: 0 },
  });

  return {
    async Publish(accountId: string, b: Body) {
      onlyKnown(b, [
        "TopicArn",
        "TargetArn",
        "PhoneNumber",
        "MessageDeduplicationId",
        "MessageGroupId",
        ...MESSAGE_KNOWN,
      ]);
      if (b.PhoneNumber !== undefined) throw snsErrors.unsupported("PhoneNumber (SMS)");
      const arn = optional(b, "TopicArn") ?? optional(b, "TargetArn");
      if (!arn) throw snsErrors.invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
      if (b.TopicArn !== undefined && b.TargetArn !== undefined) {
        throw snsErrors.invalidParameter("TopicArn and TargetArn: only one may be given");
      }
      const m = readMessage(b);
      const topic = await topicOf(accountId, arn);
      const ids = fifoIds(b, b.Message as string, topic);
      if (ids) return (await toFifo(topic, [{ m, ids }]))[0] as { MessageId: string; SequenceNumber: string };
      const published: Published = { ...m, messageId: randomUUID(), topicArn: topic.topicArn, timestamp: new Date() };
      const { into, count } = fresh();
      await fanout.fanOut(topic.subscriptions, published, into, count);
      await commit(into, count, 1);
      return { MessageId: published.messageId };
    },

    async PublishBatch(accountId: string, b: Body) {
      onlyKnown(b, ["TopicArn", "PublishBatchRequestEntries"]);
      const topic = await topicOf(accountId, required(b, "TopicArn"));
      const entries = b.PublishBatchRequestEntries;
      if (entries === undefined || entries === "" || (Array.isArray(entries) && entries.length === 0)) {
        throw snsErrors.emptyBatch("The batch request doesn't contain any entries");
      }
      if (!Array.isArray(entries)) throw snsErrors.invalidParameter("PublishBatchRequestEntries: must be a list");
      if (entries.length > MAX_BATCH)
        throw snsErrors.tooMany(`The batch request contains more entries than permissible (${MAX_BATCH})`);
      const ids = new Set<string>();
      for (const e of entries) {
        const id = (e as Body | null)?.Id;
        if (typeof id !== "string" || !BATCH_ID.test(id))
          throw snsErrors.invalidEntryId("A batch entry id is 1 to 80 letters, digits, hyphens or underscores");
        if (ids.has(id)) throw snsErrors.idsNotDistinct("Two or more batch entries in the request have the same Id");
        ids.add(id);
      }
      const { into, count } = fresh();
      const Successful: Array<{ Id: string; MessageId: string; SequenceNumber?: string }> = [];
      const fifoEntries: { id: string; m: ReturnType<typeof readMessage>; ids: FifoIds }[] = [];
      const Failed: Array<{ Id: string; Code: string; Message: string; SenderFault: boolean }> = [];
      let total = 0;
      for (const e of entries as Body[]) {
        const id = e.Id as string;
        try {
          onlyKnown(e, ["Id", "MessageDeduplicationId", "MessageGroupId", ...MESSAGE_KNOWN]);
          const m = readMessage(e);
          total += m.size;
          if (total > MAX_MESSAGE_BYTES)
            throw snsErrors.batchTooLong("The length of all the messages put together is more than the limit");
          const ids = fifoIds(e, e.Message as string, topic);
          if (ids) {
            fifoEntries.push({ id, m, ids });
            continue;
          }
          const published: Published = {
            ...m,
            messageId: randomUUID(),
            topicArn: topic.topicArn,
            timestamp: new Date(),
          };
          await fanout.fanOut(topic.subscriptions, published, into, count);
          Successful.push({ Id: id, MessageId: published.messageId });
        } catch (err) {
          if (!(err instanceof StratusError) || err.status >= 500 || err.code === "BatchRequestTooLong") throw err;
          Failed.push({ Id: id, Code: err.code, Message: err.message, SenderFault: true });
        }
      }
      await commit(into, count, Successful.length);
      const answers = await toFifo(topic, fifoEntries);
      fifoEntries.forEach((e, i) => {
        Successful.push({ Id: e.id, ...(answers[i] as { MessageId: string; SequenceNumber: string }) });
      });
      return { Successful, Failed };
    },
  };
}
