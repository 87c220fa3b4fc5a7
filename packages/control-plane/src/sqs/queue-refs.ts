// What other services ask of SQS when they are configured with a queue ARN (a
// target's DeadLetterConfig, an async destination): whether it names an existing
// standard queue of the caller's account. They write their messages without a
// MessageGroupId, so a FIFO queue is refused, as Lambda refuses FIFO destinations;
// only an SNS FIFO topic's subscription, whose messages carry their group, asks for
// FIFO queues too. They never read the queue store themselves.

import { isFifoName, parseQueueArn } from "./queue-names.js";
import type { QueueStore } from "./queue-store.js";

export interface QueueRefs {
  /**
   * Why `arn` cannot be used by `accountId`, or undefined when it names one of its
   * standard queues in this region (or FIFO queues too, with `fifo`).
   */
  fault(accountId: string, arn: string, opts?: { fifo?: boolean }): Promise<string | undefined>;
}

export function createQueueRefs(store: Pick<QueueStore, "get">, region: string): QueueRefs {
  return {
    async fault(accountId, arn, opts) {
      const q = parseQueueArn(arn);
      if (!q) return `${arn.slice(0, 1600)} is not an SQS queue ARN`;
      if (q.account !== accountId || q.region !== region)
        return `${arn} is not a queue of account ${accountId} in ${region}`;
      if (!(await store.get(accountId, q.name))) return `The queue ${arn} does not exist`;
      if (isFifoName(q.name) && !opts?.fifo) {
        return `The queue ${arn} is a FIFO queue: Stratus writes these messages without a MessageGroupId, so only a standard queue is taken here`;
      }
      return undefined;
    },
  };
}
