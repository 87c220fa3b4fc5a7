// The subscription operations. Stratus delivers to the topic owner's functions
// (protocol lambda) and standard queues (sqs); a FIFO topic to its FIFO and standard
// queues only, as SNS (a FIFO queue takes no standard topic's messages). Such
// subscriptions need no confirmation, on SNS as here, so Subscribe answers a
// confirmed subscription's ARN.
// The other protocols (http/s, email, sms, mobile push, firehose) are refused by name.
import { randomUUID } from "node:crypto";
import { StratusError } from "@stratus/shared";
import { functionOfArn } from "../arns.js";
import { nameToken, parseNameToken } from "../logs/page-tokens.js";
import type { FunctionService } from "../services/function-service.js";
import { isFifoName, parseQueueArn } from "../sqs/queue-names.js";
import type { QueueRefs } from "../sqs/queue-refs.js";
import type { SnsStore, Subscription, SubscriptionCursor } from "../store/sns-store.js";
import type { Fanout } from "./fanout.js";
import { isFifoTopic } from "./fifo-topics.js";
import { checkScope } from "./filter-policy.js";
import { snsErrors, subscriptionNotFound } from "./sns-errors.js";
import { type Body, onlyKnown, optional, required, stringMap } from "./sns-input.js";
import { parseSubscriptionArn, subscriptionArn, topicArn } from "./sns-names.js";
import type { TopicOps } from "./topic-ops.js";

const PAGE = 100;
const PROTOCOLS = ["lambda", "sqs"];
const REFUSED_PROTOCOLS = ["http", "https", "email", "email-json", "sms", "application", "firehose"];
const SETTABLE = ["FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy"];

export interface SubscriptionDeps {
  topics: Pick<TopicOps, "topicOf">;
  functions: Pick<FunctionService, "get">;
  queues: QueueRefs;
  fanout: Pick<Fanout, "checkPolicy">;
  region: string;
}

const isFifoQueueArn = (arn: string) => {
  const q = parseQueueArn(arn);
  return q !== undefined && isFifoName(q.name);
};

const isCursor = (v: unknown): v is [string, string] =>
  Array.isArray(v) &&
  v.length === 2 &&
  typeof v[0] === "string" &&
  typeof v[1] === "string" &&
  !Number.isNaN(Date.parse(v[0]));

export function createSubscriptionOps(store: SnsStore, deps: SubscriptionDeps) {
  const { region } = deps;
  const arnOf = (s: Subscription) => subscriptionArn(region, s.accountId, s.topicName, s.id);

  async function checkEndpoint(accountId: string, protocol: string, endpoint: string, fifo: boolean): Promise<void> {
    if (protocol === "lambda" && fifo)
      throw snsErrors.invalidParameter("Invalid protocol type: lambda (a FIFO topic delivers to SQS queues only)");
    if (protocol === "lambda") {
      const fn = functionOfArn(endpoint);
      if (!fn) throw snsErrors.invalidParameter(`Endpoint: ${endpoint.slice(0, 300)} is not a function ARN`);
      if (fn.accountId !== accountId) throw snsErrors.unsupported("Subscribing another account's function");
      try {
        await deps.functions.get(accountId, fn.functionName, fn.qualifier);
      } catch (err) {
        if (err instanceof StratusError && err.status === 404)
          throw snsErrors.invalidParameter(`Endpoint: the function ${endpoint} does not exist`);
        throw err;
      }
      return;
    }
    if (!fifo && isFifoQueueArn(endpoint))
      throw snsErrors.invalidParameter(
        "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
      );
    const fault = await deps.queues.fault(accountId, endpoint, { fifo });
    if (fault) throw snsErrors.invalidParameter(`Endpoint: ${fault}`);
  }

  /** The attribute `name` set to `value` on `attributes`, checked ("" removes a policy). */
  async function setAttribute(
    accountId: string,
    topicName: string,
    protocol: string,
    attributes: Record<string, string>,
    name: string,
    value: string,
  ): Promise<void> {
    if (!SETTABLE.includes(name)) throw snsErrors.unsupported(`The subscription attribute ${name.slice(0, 100)}`);
    if (value === "" && name !== "FilterPolicyScope") {
      delete attributes[name];
      return;
    }
    if (name === "RawMessageDelivery" && value !== "true" && value !== "false") {
      throw snsErrors.invalidParameter("RawMessageDelivery: must be true or false");
    }
    if (name === "RawMessageDelivery" && value === "true" && protocol === "lambda") {
      throw snsErrors.invalidParameter("Delivery protocol [lambda] does not support raw message delivery.");
    }
    if (name === "FilterPolicyScope") checkScope(value);
    if (name === "RedrivePolicy" && isFifoTopic(topicName))
      throw snsErrors.unsupported("RedrivePolicy on a FIFO topic's subscription");
    if (name === "RedrivePolicy") {
      let arn: unknown;
      try {
        arn = (JSON.parse(value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
      } catch {
        arn = undefined;
      }
      if (typeof arn !== "string")
        throw snsErrors.invalidParameter('RedrivePolicy: must be {"deadLetterTargetArn": "<queue ARN>"}');
      const fault = await deps.queues.fault(accountId, arn);
      if (fault) throw snsErrors.invalidParameter(`RedrivePolicy: ${fault}`);
    }
    attributes[name] = value;
  }

  /** Checks the filter policy under the scope the attributes now give it. */
  function checkPolicy(attributes: Record<string, string>): void {
    const scope = checkScope(attributes.FilterPolicyScope ?? "MessageAttributes");
    if (attributes.FilterPolicy) deps.fanout.checkPolicy(attributes.FilterPolicy, scope);
  }

  async function subscriptionOf(accountId: string, arn: string): Promise<Subscription> {
    const ref = parseSubscriptionArn(arn);
    if (!ref) throw snsErrors.invalidParameter(`SubscriptionArn: ${arn.slice(0, 300)} is not a subscription ARN`);
    const sub = ref.accountId === accountId && ref.region === region ? await store.getSubscription(ref.id) : undefined;
    if (!sub || sub.accountId !== accountId) throw subscriptionNotFound();
    return sub;
  }

  function listed(subs: Subscription[]) {
    const page = subs.slice(0, PAGE);
    const last = page[page.length - 1];
    return {
      Subscriptions: page.map((s) => ({
        SubscriptionArn: arnOf(s),
        Owner: s.accountId,
        Protocol: s.protocol,
        Endpoint: s.endpoint,
        TopicArn: topicArn(region, s.accountId, s.topicName),
      })),
      ...(subs.length > PAGE && last ? { NextToken: nameToken([last.createdAt.toISOString(), last.id]) } : {}),
    };
  }

  function cursorOf(b: Body): SubscriptionCursor | undefined {
    const token = optional(b, "NextToken");
    if (!token) return undefined;
    const v = parseNameToken(token, isCursor);
    if (!v) throw snsErrors.invalidParameter("NextToken: not a token this listing gave");
    return { createdAt: new Date(v[0]), id: v[1] };
  }

  return {
    async Subscribe(accountId: string, b: Body) {
      onlyKnown(b, ["TopicArn", "Protocol", "Endpoint", "Attributes", "ReturnSubscriptionArn"]);
      const topic = await deps.topics.topicOf(accountId, required(b, "TopicArn"));
      const protocol = required(b, "Protocol").toLowerCase();
      if (REFUSED_PROTOCOLS.includes(protocol))
        throw snsErrors.unsupported(`Protocol ${protocol} (Stratus delivers to lambda and sqs)`);
      if (!PROTOCOLS.includes(protocol))
        throw snsErrors.invalidParameter(`Invalid protocol type: ${protocol.slice(0, 50)}`);
      const endpoint = required(b, "Endpoint");
      await checkEndpoint(accountId, protocol, endpoint, isFifoTopic(topic.name));
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(stringMap(b, "Attributes")))
        await setAttribute(accountId, topic.name, protocol, attributes, k, v);
      checkPolicy(attributes);
      const sub = await store.subscribe({
        id: randomUUID(),
        accountId,
        topicName: topic.name,
        protocol,
        endpoint,
        attributes,
      });
      if (!sub) throw snsErrors.notFound("Topic does not exist");
      const same =
        Object.keys(sub.attributes).length === Object.keys(attributes).length &&
        Object.entries(attributes).every(([k, v]) => sub.attributes[k] === v);
      if (!same)
        throw snsErrors.invalidParameter("Attributes Reason: Subscription already exists with different attributes");
      return { SubscriptionArn: arnOf(sub) };
    },

    async Unsubscribe(accountId: string, b: Body) {
      onlyKnown(b, ["SubscriptionArn"]);
      await store.unsubscribe((await subscriptionOf(accountId, required(b, "SubscriptionArn"))).id);
      return {};
    },

    async ConfirmSubscription(accountId: string, b: Body) {
      onlyKnown(b, ["TopicArn", "Token", "AuthenticateOnUnsubscribe"]);
      await deps.topics.topicOf(accountId, required(b, "TopicArn"));
      required(b, "Token");
      throw snsErrors.invalidParameter(
        "Token: no subscription is waiting for confirmation (lambda and sqs subscriptions are confirmed when made)",
      );
    },

    async ListSubscriptions(accountId: string, b: Body) {
      onlyKnown(b, ["NextToken"]);
      return listed(await store.listSubscriptions(accountId, undefined, cursorOf(b), PAGE + 1));
    },

    async ListSubscriptionsByTopic(accountId: string, b: Body) {
      onlyKnown(b, ["TopicArn", "NextToken"]);
      const topic = await deps.topics.topicOf(accountId, required(b, "TopicArn"));
      return listed(await store.listSubscriptions(accountId, topic.name, cursorOf(b), PAGE + 1));
    },

    async GetSubscriptionAttributes(accountId: string, b: Body) {
      onlyKnown(b, ["SubscriptionArn"]);
      const sub = await subscriptionOf(accountId, required(b, "SubscriptionArn"));
      return {
        Attributes: {
          SubscriptionArn: arnOf(sub),
          TopicArn: topicArn(region, sub.accountId, sub.topicName),
          Owner: sub.accountId,
          Protocol: sub.protocol,
          Endpoint: sub.endpoint,
          ConfirmationWasAuthenticated: "true",
          PendingConfirmation: "false",
          RawMessageDelivery: "false",
          ...(sub.attributes.FilterPolicy ? { FilterPolicyScope: "MessageAttributes" } : {}),
          ...sub.attributes,
        },
      };
    },

    async SetSubscriptionAttributes(accountId: string, b: Body) {
      onlyKnown(b, ["SubscriptionArn", "AttributeName", "AttributeValue"]);
      const sub = await subscriptionOf(accountId, required(b, "SubscriptionArn"));
      const attributes = { ...sub.attributes };
      await setAttribute(
        accountId,
        sub.topicName,
        sub.protocol,
        attributes,
        required(b, "AttributeName"),
        optional(b, "AttributeValue") ?? "",
      );
      checkPolicy(attributes);
      if (!(await store.setSubscriptionAttributes(sub.id, attributes))) throw subscriptionNotFound();
      return {};
    },
  };
}
