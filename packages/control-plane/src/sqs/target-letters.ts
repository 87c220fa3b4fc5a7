// Messages an EventBridge rule or a Scheduler schedule sends to a queue target: the
// event (or the target's input) as the body, as both services send it. When the
// target's queue no longer exists, the target's DeadLetterConfig gets the message
// instead (ERROR_CODE RESOURCE_NOT_FOUND), else it is counted as lost.
import type { DeadLetter, TargetLetter } from "../store/sqs-messages.js";
import { deadLetterMessage, queueLetter } from "./dead-letters.js";

/** The delivery of `body` to the queue `queueArn` of `accountId`; undefined if the ARN names none of its queues. */
export function targetLetter(
  accountId: string,
  queueArn: string,
  body: string,
  deadLetter: DeadLetter | undefined,
): TargetLetter | undefined {
  const letter = queueLetter(accountId, queueArn, body, {});
  if (!letter) return undefined;
  const error = { errorType: "RESOURCE_NOT_FOUND", errorMessage: `The queue ${queueArn} does not exist.` };
  const orElse =
    deadLetter && deadLetterMessage(accountId, deadLetter, Buffer.from(body), error, "RetriesExhausted", 0);
  return orElse ? { letter, orElse } : { letter };
}
