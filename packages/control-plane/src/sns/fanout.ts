// A published message's deliveries: for each subscription of its topic whose filter
// policy it passes, an async invocation of the subscribed function (limited by that
// function's own event-invoke config, as SNS invokes Lambda asynchronously) or a
// message in the subscribed queue (in a FIFO queue, a FIFO topic's message keeps its
// group and deduplication id; a standard topic's message has none, so fails there).
// A function that is gone or does not let sns.amazonaws.com invoke it for this topic
// fails the delivery, as does a queue that is gone; a failed delivery goes to the
// subscription's RedrivePolicy queue if it has one. Nothing is written here: the
// caller commits the deliveries.
import { randomUUID } from "node:crypto";
import { LATEST, type Logger } from "@stratus/shared";
import { functionOfArn } from "../arns.js";
import type { Pattern } from "../events/pattern-check.js";
import { asyncLimitsOf } from "../services/async-service.js";
import type { FunctionService } from "../services/function-service.js";
import type { PolicyService } from "../services/policy-service.js";
import { serviceInvokeFault } from "../services/service-invoke.js";
import { queueLetter } from "../sqs/dead-letters.js";
import { isFifoName } from "../sqs/queue-names.js";
import type { Deliveries, FanoutCount } from "../store/deliveries.js";
import type { SettingsStore } from "../store/settings-store.js";
import type { Subscription } from "../store/sns-store.js";
import type { SnsDeliveries } from "./fifo-topic-store.js";
import { type FilterScope, parseFilterPolicy, passes } from "./filter-policy.js";
import { envelope, lambdaEvent, type Published } from "./notification.js";
import { subscriptionArn } from "./sns-names.js";

export interface FanoutDeps {
  functions: Pick<FunctionService, "get">;
  policies: Pick<PolicyService, "allows">;
  settings: Pick<SettingsStore, "getEventInvokeConfig">;
  region: string;
  log: Pick<Logger, "warn">;
}

export type { FanoutCount } from "../store/deliveries.js";

/** SQS's limit on a message's attributes, which raw delivery carries over. */
const MAX_RAW_ATTRIBUTES = 10;
const MAX_CACHED_POLICIES = 1_000;

export function createFanout(deps: FanoutDeps) {
  const policies = new Map<string, Pattern>();
  function policyOf(text: string, scope: FilterScope): Pattern {
    const key = `${scope}\u0000${text}`;
    let p = policies.get(key);
    if (!p) {
      if (policies.size >= MAX_CACHED_POLICIES) policies.clear();
      p = parseFilterPolicy(text, scope);
      policies.set(key, p);
    }
    return p;
  }

  /** Why SNS could not invoke `arn` for `topicArn` of `accountId`; undefined when it can. */
  async function undeliverable(accountId: string, topicArn: string, arn: string): Promise<string | undefined> {
    const fn = functionOfArn(arn);
    if (!fn || fn.accountId !== accountId) return `${arn} is not a function of account ${accountId}`;
    const fault = await serviceInvokeFault(deps, accountId, fn, "sns.amazonaws.com", topicArn);
    if (fault === "missing") return `The function ${arn} does not exist`;
    return fault && `sns.amazonaws.com is not allowed to invoke ${arn} for ${topicArn}`;
  }

  /** The failed delivery's dead letter, if the subscription has a RedrivePolicy queue. */
  function deadLetter(sub: Subscription, p: Published, why: string, into: Deliveries): void {
    const dlq = redriveQueue(sub);
    const letter =
      dlq &&
      queueLetter(sub.accountId, dlq, envelope(p, sub.protocol), {
        ErrorCode: { DataType: "String", StringValue: "DeliveryFailed" },
        ErrorMessage: { DataType: "String", StringValue: why.slice(0, 1000) },
      });
    if (letter) into.letters.push({ letter });
  }

  async function deliver(sub: Subscription, p: Published, into: SnsDeliveries): Promise<string | undefined> {
    if (sub.protocol === "lambda") {
      const why = await undeliverable(sub.accountId, p.topicArn, sub.endpoint);
      if (why) return why;
      const fn = functionOfArn(sub.endpoint) as { functionName: string; qualifier?: string };
      const config = await deps.settings.getEventInvokeConfig(sub.accountId, fn.functionName, fn.qualifier ?? LATEST);
      const arn = subscriptionArn(deps.region, sub.accountId, sub.topicName, sub.id);
      into.invocations.push({
        id: randomUUID(),
        accountId: sub.accountId,
        functionName: fn.functionName,
        ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
        payload: Buffer.from(lambdaEvent(p, arn)),
        ...asyncLimitsOf(config),
      });
      return undefined;
    }
    const raw = sub.attributes.RawMessageDelivery === "true";
    if (raw && Object.keys(p.attributes).length > MAX_RAW_ATTRIBUTES) {
      return `Raw delivery to SQS carries at most ${MAX_RAW_ATTRIBUTES} message attributes`;
    }
    const body = raw ? p.message("sqs") : envelope(p, "sqs");
    const letter = queueLetter(sub.accountId, sub.endpoint, body, raw ? p.attributes : {});
    if (!letter) return `${sub.endpoint} is not a queue of account ${sub.accountId}`;
    if (isFifoName(letter.queueName)) {
      if (!p.fifo) return `${sub.endpoint} is a FIFO queue, which takes only a FIFO topic's messages`;
      into.fifoLetters ??= [];
      into.fifoLetters.push({ ...letter, groupId: p.fifo.groupId, dedupId: p.fifo.dedupId });
      return undefined;
    }
    const dlq = redriveQueue(sub);
    const error = { ErrorCode: { DataType: "String", StringValue: "DeliveryFailed" } };
    const orElse =
      dlq &&
      queueLetter(sub.accountId, dlq, envelope(p, "sqs"), {
        ...error,
        ErrorMessage: { DataType: "String", StringValue: `The queue ${sub.endpoint} does not exist.` },
      });
    into.letters.push(orElse ? { letter, orElse } : { letter });
    return undefined;
  }

  return {
    /** Checks `text` as a policy of `scope` (Subscribe, SetSubscriptionAttributes). */
    checkPolicy: (text: string, scope: FilterScope) => void policyOf(text, scope),

    /** Adds the deliveries of `p` to `subscriptions` (its topic's) to `into`, counting each. */
    async fanOut(subscriptions: Subscription[], p: Published, into: SnsDeliveries, count: FanoutCount): Promise<void> {
      for (const sub of subscriptions) {
        const text = sub.attributes.FilterPolicy;
        const scope = (sub.attributes.FilterPolicyScope ?? "MessageAttributes") as FilterScope;
        if (
          text &&
          !passes(policyOf(text, scope), scope, { body: p.message(sub.protocol), attributes: p.attributes })
        ) {
          count.filtered++;
          continue;
        }
        const why = await deliver(sub, p, into);
        if (why === undefined) {
          count.delivered++;
          continue;
        }
        count.failed++;
        deps.log.warn(`SNS message ${p.messageId} not delivered to ${sub.endpoint}: ${why}`, {
          accountId: sub.accountId,
        });
        deadLetter(sub, p, why, into);
      }
    },
  };
}

/** The queue ARN of a subscription's RedrivePolicy, if it has one. */
export function redriveQueue(sub: Pick<Subscription, "attributes">): string | undefined {
  const text = sub.attributes.RedrivePolicy;
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as { deadLetterTargetArn?: unknown };
    return typeof v.deadLetterTargetArn === "string" ? v.deadLetterTargetArn : undefined;
  } catch {
    return undefined;
  }
}

export type Fanout = ReturnType<typeof createFanout>;
