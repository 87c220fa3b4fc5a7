// SQS's queue operations over the queue store: create, look up, list, delete, read
// and set attributes, purge and tags. Every operation is scoped to the caller's
// account; a queue is named by its URL, another account's queue does not exist.

import { intParam, type Model, stringList, tagMap } from "./params.js";
import {
  ATTRIBUTE_NAMES,
  applyAttributes,
  attributeStrings,
  createSettings,
  type QueueSettings,
  sameSettings,
} from "./queue-attributes.js";
import { isFifoName, isQueueName, parseQueueArn, queueArn, queueFromUrl, queueName, queueUrl } from "./queue-names.js";
import type { Queue, QueueStore } from "./queue-store.js";
import { sqsErrors } from "./sqs-errors.js";

/** What an operation knows of its request besides the body: the endpoint queue URLs are written under. */
export interface SqsContext {
  endpoint: string;
  /** Aborts when the client went away (ends a long poll). */
  signal?: AbortSignal;
}

export type SqsOp = (account: string, body: Model, ctx: SqsContext) => Promise<Model>;

const epochSeconds = (d: Date) => String(Math.floor(d.getTime() / 1000));

export function createQueueOps(store: QueueStore, region: string) {
  async function queueOf(account: string, body: Model): Promise<Queue> {
    const q = await store.get(account, queueFromUrl(body.QueueUrl, account));
    if (!q) throw sqsErrors.noQueue();
    return q;
  }

  /**
   * A redrive policy's dead-letter queue must be another existing queue of the account, in
   * this region, of the same type (a FIFO queue's is a FIFO queue; the name tells).
   */
  async function checkRedrive(account: string, name: string, s: QueueSettings): Promise<void> {
    if (!s.redrivePolicy) return;
    const arn = parseQueueArn(s.redrivePolicy.deadLetterTargetArn);
    if (
      !arn ||
      arn.account !== account ||
      arn.region !== region ||
      arn.name === name ||
      !(await store.get(account, arn.name))
    ) {
      throw sqsErrors.invalidAttributeValue(
        "Value for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist (it must be another queue of this account).",
      );
    }
    if (isFifoName(arn.name) !== (s.fifo !== undefined)) {
      throw sqsErrors.invalidAttributeValue(
        "Value for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source (a FIFO queue's is a FIFO queue, a standard queue's a standard queue).",
      );
    }
  }

  const ops = {
    async CreateQueue(account: string, b: Model, ctx: SqsContext) {
      const settings = createSettings(b.Attributes);
      const name = queueName(b.QueueName, settings.fifo !== undefined);
      const tags = tagMap(b.tags ?? b.Tags);
      await checkRedrive(account, name, settings);
      const { queue, created } = await store.create(account, name, settings, tags);
      if (!created && !sameSettings(queue.settings, settings)) {
        throw sqsErrors.queueExists("A queue already exists with the same name and a different value for attribute(s)");
      }
      return { QueueUrl: queueUrl(ctx.endpoint, account, name) };
    },
    async GetQueueUrl(account: string, b: Model, ctx: SqsContext) {
      const owner = b.QueueOwnerAWSAccountId;
      if (owner !== undefined && owner !== null && owner !== account) throw sqsErrors.noQueue();
      const name = typeof b.QueueName === "string" ? b.QueueName : queueName(b.QueueName);
      if (!(await store.get(account, name))) throw sqsErrors.noQueue();
      return { QueueUrl: queueUrl(ctx.endpoint, account, name) };
    },
    async ListQueues(account: string, b: Model, ctx: SqsContext) {
      const prefix = typeof b.QueueNamePrefix === "string" ? b.QueueNamePrefix : "";
      const max = intParam(b, "MaxResults", 1, 1000);
      let after: string | undefined;
      if (typeof b.NextToken === "string" && b.NextToken !== "") {
        after = Buffer.from(b.NextToken, "base64url").toString("utf8");
        if (!isQueueName(after)) throw sqsErrors.invalidParameter("Invalid NextToken value.");
      }
      const names = await store.list(account, prefix, after, (max ?? 1000) + 1);
      const page = names.slice(0, max ?? 1000);
      const more = max !== undefined && names.length > max;
      return {
        ...(page.length > 0 ? { QueueUrls: page.map((n) => queueUrl(ctx.endpoint, account, n)) } : {}),
        ...(more ? { NextToken: Buffer.from(page[page.length - 1] as string).toString("base64url") } : {}),
      };
    },
    async DeleteQueue(account: string, b: Model) {
      if (!(await store.remove(account, queueFromUrl(b.QueueUrl, account)))) throw sqsErrors.noQueue();
      return {};
    },
    async GetQueueAttributes(account: string, b: Model) {
      const q = await queueOf(account, b);
      const asked = stringList(b, "AttributeNames");
      for (const n of asked) {
        if (n !== "All" && !ATTRIBUTE_NAMES.includes(n))
          throw sqsErrors.invalidAttributeName(`Unknown Attribute ${n.slice(0, 256)}.`);
      }
      const all = asked.includes("All");
      const want = (n: string) => all || asked.includes(n);
      const out: Record<string, string> = {};
      const counting = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ];
      if (counting.some(want)) {
        const c = await store.counts(q);
        if (want(counting[0] as string)) out.ApproximateNumberOfMessages = String(c.visible);
        if (want(counting[1] as string)) out.ApproximateNumberOfMessagesNotVisible = String(c.inFlight);
        if (want(counting[2] as string)) out.ApproximateNumberOfMessagesDelayed = String(c.delayed);
      }
      for (const [n, v] of Object.entries(attributeStrings(q.settings))) if (want(n)) out[n] = v;
      if (want("CreatedTimestamp")) out.CreatedTimestamp = epochSeconds(q.createdAt);
      if (want("LastModifiedTimestamp")) out.LastModifiedTimestamp = epochSeconds(q.lastModified);
      if (want("QueueArn")) out.QueueArn = queueArn(region, account, q.name);
      if (want("SqsManagedSseEnabled")) out.SqsManagedSseEnabled = "false";
      return Object.keys(out).length > 0 ? { Attributes: out } : {};
    },
    async SetQueueAttributes(account: string, b: Model) {
      const q = await queueOf(account, b);
      const settings = applyAttributes(q.settings, b.Attributes);
      await checkRedrive(account, q.name, settings);
      await store.update(q.id, settings);
      return {};
    },
    async PurgeQueue(account: string, b: Model) {
      const q = await queueOf(account, b);
      if (!(await store.purge(q.id))) {
        throw sqsErrors.purgeInProgress(`Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`);
      }
      return {};
    },
    async TagQueue(account: string, b: Model) {
      const q = await queueOf(account, b);
      const tags = tagMap(b.Tags);
      if (Object.keys({ ...q.tags, ...tags }).length > 50)
        throw sqsErrors.invalidParameter("A queue may have at most 50 tags");
      await store.tag(q.id, tags);
      return {};
    },
    async UntagQueue(account: string, b: Model) {
      const q = await queueOf(account, b);
      await store.untag(q.id, stringList(b, "TagKeys", 50));
      return {};
    },
    async ListQueueTags(account: string, b: Model) {
      const q = await queueOf(account, b);
      return Object.keys(q.tags).length > 0 ? { Tags: q.tags } : {};
    },
  } satisfies Record<string, SqsOp>;
  return { ops, queueOf };
}
