// Messages an async invocation's end publishes to SNS topics of its account: the
// destination record to an SNS destination, and the discarded event to a
// DeadLetterConfig topic (with Lambda's RequestID, ErrorCode and ErrorMessage as
// message attributes, as its queue would get them). They are publish requests
// (store/sns-publish-requests.ts), committed with the move that ends the invocation
// and fanned out by SNS's relay. Each id (the message's MessageId) is derived from
// the invocation, the time it was accepted (a re-drive accepts it again, and may end
// it the same way again) and what the message is, so one ending publishes it once.
import { derivedUuid } from "../schedules/firing.js";
import { functionDeadLetterAttributes } from "../sqs/dead-letters.js";
import type { AsyncInvocation } from "../store/async-store.js";
import type { PublishRequest } from "../store/sns-publish-requests.js";
import { type DeliveryCondition, isTopicArnOf } from "./destination.js";

type Ending = Pick<AsyncInvocation, "id" | "accountId" | "acceptedAt">;

const messageId = (inv: Ending, what: string) =>
  derivedUuid(`lambda-async/${inv.id}/${inv.acceptedAt.toISOString()}/${what}`);

/** The destination record (destination.ts) published to `topicArn`; undefined when it is no topic of the account. */
export function destinationPublish(
  inv: Ending,
  topicArn: string,
  condition: DeliveryCondition,
  record: Buffer,
): PublishRequest | undefined {
  if (!isTopicArnOf(topicArn, inv.accountId)) return undefined;
  return {
    id: messageId(inv, `destination/${condition}`),
    accountId: inv.accountId,
    topicArn,
    message: record.toString("utf8"),
  };
}

/**
 * The dead letter of a function's DeadLetterConfig topic: the event unchanged as the
 * message, and the attributes its queue would get. Undefined when `topicArn` is no
 * topic of the account.
 */
export function deadLetterPublish(
  inv: Ending & Pick<AsyncInvocation, "payload">,
  topicArn: string,
  error: unknown,
  httpStatus: number,
): PublishRequest | undefined {
  if (!isTopicArnOf(topicArn, inv.accountId)) return undefined;
  return {
    id: messageId(inv, "dead-letter"),
    accountId: inv.accountId,
    topicArn,
    message: inv.payload.toString("utf8") || "{}",
    attributes: functionDeadLetterAttributes(inv.id, error, httpStatus),
  };
}
