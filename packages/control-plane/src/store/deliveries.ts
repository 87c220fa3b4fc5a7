// What a trigger writes when it fires, in one transaction (store/schedule-store.ts
// writeFiring): async invocations, queue messages, executions to start and messages
// to SNS topics; and how a topic's fan-out of one message came out.
import type { NewAsyncInvocation } from "./async-store.js";
import type { StartRequest } from "./sfn-start-requests.js";
import type { PublishRequest } from "./sns-publish-requests.js";
import type { TargetLetter } from "./sqs-messages.js";

export interface Deliveries {
  invocations: NewAsyncInvocation[];
  letters: TargetLetter[];
  starts: StartRequest[];
  /** Messages to SNS topics, fanned out to their subscriptions once written. */
  publishes?: PublishRequest[];
}

/** One message's deliveries to its topic's subscriptions, by outcome. */
export interface FanoutCount {
  delivered: number;
  filtered: number;
  failed: number;
}
