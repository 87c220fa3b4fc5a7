// What other services ask of SNS when they are configured with a topic ARN (a rule's
// or a schedule's target, an alarm's action, an async destination): whether it names
// a standard topic of the caller's account (they publish without a MessageGroupId, so
// a FIFO topic is refused). They never read the SNS store themselves.

import { type ArnRefs, parseTopicArn } from "../arns.js";
import type { SnsStore } from "../store/sns-store.js";
import { isFifoTopic } from "./fifo-topics.js";

/** Why a topic ARN cannot be used by an account, or undefined when it names one of its topics in this region. */
export type TopicRefs = ArnRefs;

export function createTopicRefs(store: Pick<SnsStore, "getTopic">, region: string): TopicRefs {
  return {
    async fault(accountId, arn) {
      const t = parseTopicArn(arn);
      if (!t) return `${arn.slice(0, 1600)} is not an SNS topic ARN`;
      if (t.accountId !== accountId || t.region !== region)
        return `${arn} is not a topic of account ${accountId} in ${region}`;
      if (isFifoTopic(t.name)) {
        return `${arn} is a FIFO topic: Stratus publishes these messages without a MessageGroupId, so only a standard topic is taken here`;
      }
      return (await store.getTopic(accountId, t.name)) ? undefined : `The topic ${arn} does not exist`;
    },
  };
}
