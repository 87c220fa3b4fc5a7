// The topic operations: CreateTopic (idempotent, as SNS's: the same name with other
// attributes or tags is refused), DeleteTopic (with its subscriptions), ListTopics,
// Get/SetTopicAttributes and the tag operations. A FIFO topic (a .fifo name with
// FifoTopic true) takes its own attributes (fifo-topics.ts). Attributes Stratus does
// not act on (encryption, delivery status logging, archives) are refused by name; the
// values that mean "off" are accepted, as Terraform sends them.
import { nameToken, parseNameToken } from "../logs/page-tokens.js";
import type { SnsStore, Topic } from "../store/sns-store.js";
import { checkFifoAttribute, checkFifoTopic, FIFO_ATTRIBUTES, isFifoTopic } from "./fifo-topics.js";
import { snsErrors, topicNotFound } from "./sns-errors.js";
import { type Body, onlyKnown, optional, required, stringList, stringMap, tagList } from "./sns-input.js";
import { checkTopicName, parseTopicArn, topicArn } from "./sns-names.js";

const PAGE = 100;
const MAX_TAGS = 50;
/**
 * Attribute values that ask for nothing Stratus would have to do. A success sample rate
 * of 0 logs no successful delivery's status (Terraform's aws_sns_topic sets all five to
 * 0 when it creates a topic whose configuration leaves them out).
 */
const OFF_VALUES: Record<string, string> = {
  TracingConfig: "PassThrough",
  ApplicationSuccessFeedbackSampleRate: "0",
  FirehoseSuccessFeedbackSampleRate: "0",
  HTTPSuccessFeedbackSampleRate: "0",
  LambdaSuccessFeedbackSampleRate: "0",
  SQSSuccessFeedbackSampleRate: "0",
};
const SETTABLE = new Set(["DisplayName", "Policy", "DeliveryPolicy"]);

const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The attribute `name` set to `value` on a topic (`fifo`: a FIFO topic), checked;
 * undefined when it is an "off" or default value, not kept.
 */
export function checkAttribute(name: string, value: string, fifo = false): string | undefined {
  if (FIFO_ATTRIBUTES.includes(name)) return checkFifoAttribute(name, value, fifo);
  if (OFF_VALUES[name] !== undefined) {
    if (value === OFF_VALUES[name]) return undefined;
    throw snsErrors.unsupported(`${name} ${value.slice(0, 50)}`);
  }
  if (!SETTABLE.has(name)) throw snsErrors.unsupported(`The attribute ${name.slice(0, 100)}`);
  if (name === "DisplayName" && value.length > 100)
    throw snsErrors.invalidParameter("DisplayName: at most 100 characters");
  if (name === "Policy" || name === "DeliveryPolicy") {
    let v: unknown;
    try {
      v = JSON.parse(value);
    } catch {
      v = undefined;
    }
    if (!isObject(v) || (name === "Policy" && v.Statement === undefined)) {
      throw snsErrors.invalidParameter(`${name}: must be a JSON ${name === "Policy" ? "policy document" : "object"}`);
    }
    if (Buffer.byteLength(value) > 30_720) throw snsErrors.invalidParameter(`${name}: at most 30 KB`);
  }
  return value;
}

function defaultPolicy(arn: string, accountId: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
        Resource: arn,
        Condition: { StringEquals: { "AWS:SourceOwner": accountId } },
      },
    ],
  });
}

const DEFAULT_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: "linear",
    },
    disableSubscriptionOverrides: false,
  },
});

const sameMap = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

export function createTopicOps(store: SnsStore, region: string) {
  /** The caller's topic that `arn` names (NotFound otherwise; `notFound` for the tag operations' error). */
  async function topicOf(accountId: string, arn: string, notFound = topicNotFound): Promise<Topic> {
    const ref = parseTopicArn(arn);
    if (!ref) throw snsErrors.invalidParameter(`TopicArn: ${arn.slice(0, 300)} is not a topic ARN`);
    const topic =
      ref.region === region && ref.accountId === accountId ? await store.getTopic(accountId, ref.name) : undefined;
    if (!topic) throw notFound();
    return topic;
  }
  const tagTopic = (accountId: string, b: Body) =>
    topicOf(accountId, required(b, "ResourceArn"), () => snsErrors.resourceNotFound("Resource does not exist"));

  return {
    topicOf,
    ops: {
      async CreateTopic(accountId: string, b: Body) {
        onlyKnown(b, ["Name", "Attributes", "Tags", "DataProtectionPolicy"]);
        if (b.DataProtectionPolicy !== undefined) throw snsErrors.unsupported("DataProtectionPolicy");
        const name = required(b, "Name");
        checkTopicName(name);
        const given = stringMap(b, "Attributes");
        checkFifoTopic(name, given.FifoTopic);
        const attributes: Record<string, string> = {};
        for (const [k, v] of Object.entries(given)) {
          const kept = checkAttribute(k, v, isFifoTopic(name));
          if (kept !== undefined) attributes[k] = kept;
        }
        const tags = tagList(b);
        if (Object.keys(tags).length > MAX_TAGS)
          throw snsErrors.tagLimit(`Could not complete request: tag quota of per resource exceeded`);
        const { topic, created } = await store.createTopic({ accountId, name, attributes, tags });
        if (!created) {
          if (!sameMap(topic.attributes, attributes) && Object.keys(attributes).length > 0) {
            throw snsErrors.invalidParameter("Attributes Reason: Topic already exists with different attributes");
          }
          if (!sameMap(topic.tags, tags) && Object.keys(tags).length > 0) {
            throw snsErrors.invalidParameter("Tags Reason: Topic already exists with different tags");
          }
        }
        return { TopicArn: topicArn(region, accountId, name) };
      },

      async DeleteTopic(accountId: string, b: Body) {
        onlyKnown(b, ["TopicArn"]);
        const arn = required(b, "TopicArn");
        const ref = parseTopicArn(arn);
        if (!ref) throw snsErrors.invalidParameter(`TopicArn: ${arn.slice(0, 300)} is not a topic ARN`);
        // As on SNS, deleting a topic that does not exist succeeds.
        if (ref.region === region && ref.accountId === accountId) await store.deleteTopic(accountId, ref.name);
        return {};
      },

      async ListTopics(accountId: string, b: Body) {
        onlyKnown(b, ["NextToken"]);
        const token = optional(b, "NextToken");
        const after = token ? parseNameToken(token, (v): v is string => typeof v === "string") : undefined;
        if (token && after === undefined) throw snsErrors.invalidParameter("NextToken: not a token ListTopics gave");
        const topics = await store.listTopics(accountId, after, PAGE + 1);
        const page = topics.slice(0, PAGE);
        return {
          Topics: page.map((t) => ({ TopicArn: topicArn(region, accountId, t.name) })),
          ...(topics.length > PAGE ? { NextToken: nameToken(page[page.length - 1]?.name) } : {}),
        };
      },

      async GetTopicAttributes(accountId: string, b: Body) {
        onlyKnown(b, ["TopicArn"]);
        const topic = await topicOf(accountId, required(b, "TopicArn"));
        const arn = topicArn(region, accountId, topic.name);
        const subscriptions = await store.countSubscriptions(topic.id);
        return {
          Attributes: {
            TopicArn: arn,
            Owner: accountId,
            DisplayName: "",
            Policy: defaultPolicy(arn, accountId),
            EffectiveDeliveryPolicy: topic.attributes.DeliveryPolicy ?? DEFAULT_DELIVERY_POLICY,
            SubscriptionsConfirmed: String(subscriptions),
            SubscriptionsPending: "0",
            SubscriptionsDeleted: "0",
            ...(isFifoTopic(topic.name)
              ? { FifoTopic: "true", ContentBasedDeduplication: "false", FifoThroughputScope: "Topic" }
              : { FifoTopic: "false" }),
            ...topic.attributes,
          },
        };
      },

      async SetTopicAttributes(accountId: string, b: Body) {
        onlyKnown(b, ["TopicArn", "AttributeName", "AttributeValue"]);
        const topic = await topicOf(accountId, required(b, "TopicArn"));
        const name = required(b, "AttributeName");
        const value = optional(b, "AttributeValue") ?? "";
        const kept =
          value === "" && name !== "DisplayName" && SETTABLE.has(name)
            ? undefined
            : checkAttribute(name, value, isFifoTopic(topic.name));
        if (!(await store.setTopicAttribute(accountId, topic.name, name, kept))) throw topicNotFound();
        return {};
      },

      async TagResource(accountId: string, b: Body) {
        onlyKnown(b, ["ResourceArn", "Tags"]);
        const topic = await tagTopic(accountId, b);
        const edited = await store.editTopicTags(accountId, topic.name, tagList(b), [], MAX_TAGS);
        if (edited === "over")
          throw snsErrors.tagLimit("Could not complete request: tag quota of per resource exceeded");
        if (edited === "missing") throw snsErrors.resourceNotFound("Resource does not exist");
        return {};
      },

      async UntagResource(accountId: string, b: Body) {
        onlyKnown(b, ["ResourceArn", "TagKeys"]);
        const topic = await tagTopic(accountId, b);
        const edited = await store.editTopicTags(accountId, topic.name, {}, stringList(b, "TagKeys"), MAX_TAGS);
        if (edited === "missing") throw snsErrors.resourceNotFound("Resource does not exist");
        return {};
      },

      async ListTagsForResource(accountId: string, b: Body) {
        onlyKnown(b, ["ResourceArn"]);
        const topic = await tagTopic(accountId, b);
        return { Tags: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) };
      },
    },
  };
}

export type TopicOps = ReturnType<typeof createTopicOps>;
