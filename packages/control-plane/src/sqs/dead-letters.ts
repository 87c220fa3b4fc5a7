// Dead letters and destination records written to Stratus' own SQS queues when an
// async invocation ends. EventBridge and Scheduler targets with a DeadLetterConfig
// get the event that could not be delivered as the body, and message attributes as
// each service documents them (ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION,
// RETRY_ATTEMPTS, RULE_ARN or SCHEDULE_ARN, TARGET_ARN); a function's own
// DeadLetterConfig gets the event as the body with Lambda's RequestID, ErrorCode and
// ErrorMessage; a Lambda destination on SQS gets the destination record as the body. Messages are written in the transaction
// that ends the invocation (store/async-store.ts), so a dead letter is never lost
// nor written for an invocation that did not end.
import type { DeadLetter, MessageAttributes, QueueLetter } from "../store/sqs-messages.js";
import { md5OfAttributes, md5OfBody } from "./md5.js";
import { parseQueueArn } from "./queue-names.js";

const text = (s: string) => ({ DataType: "String", StringValue: s || "-" });

/** A message to the account's queue at `queueArn`; undefined when the ARN names none of its queues. */
export function queueLetter(
  accountId: string,
  queueArn: string,
  body: string,
  attributes: MessageAttributes,
): QueueLetter | undefined {
  const q = parseQueueArn(queueArn);
  if (!q || q.account !== accountId) return undefined;
  const md5Attributes = md5OfAttributes(attributes);
  return {
    accountId,
    queueName: q.name,
    body,
    attributes,
    md5Body: md5OfBody(body),
    ...(md5Attributes ? { md5Attributes } : {}),
  };
}

function errorParts(error: unknown): { code: string; message: string } {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    errorType?: unknown;
    errorMessage?: unknown;
  };
  return {
    code: typeof e.errorType === "string" ? e.errorType : "Unhandled",
    message: (typeof e.errorMessage === "string" ? e.errorMessage : JSON.stringify(error ?? null)).slice(0, 1024),
  };
}

/** The dead letter of an invocation that ended unrun or failed. */
export function deadLetterMessage(
  accountId: string,
  dl: DeadLetter,
  payload: Buffer,
  error: unknown,
  condition: "RetriesExhausted" | "EventAgeExceeded",
  retries: number,
): QueueLetter | undefined {
  const { code, message } = errorParts(error);
  const attributes: MessageAttributes = {
    ERROR_CODE: text(code),
    ERROR_MESSAGE: text(message),
    EXHAUSTED_RETRY_CONDITION: text(
      condition === "EventAgeExceeded" ? "MaximumEventAgeInSeconds" : "MaximumRetryAttempts",
    ),
    RETRY_ATTEMPTS: text(String(Math.max(0, retries))),
  };
  for (const [k, v] of Object.entries(dl.attributes)) attributes[k] = text(v);
  // A body must be valid SQS text; an event is JSON text, so it is.
  return queueLetter(accountId, dl.queueArn, payload.toString("utf8") || "{}", attributes);
}

/**
 * The dead letter of a function's DeadLetterConfig, as Lambda writes it: the event
 * unchanged as the body; RequestID, ErrorCode (the three-digit HTTP status of the last
 * attempt) and ErrorMessage (cut to 1 KB) as attributes.
 */
export function functionDeadLetterMessage(
  accountId: string,
  queueArn: string,
  requestId: string,
  payload: Buffer,
  error: unknown,
  httpStatus: number,
): QueueLetter | undefined {
  const attributes = functionDeadLetterAttributes(requestId, error, httpStatus);
  return queueLetter(accountId, queueArn, payload.toString("utf8") || "{}", attributes);
}

/** The attributes of a function's dead letter, the same on a queue and on a topic. */
export function functionDeadLetterAttributes(requestId: string, error: unknown, httpStatus: number): MessageAttributes {
  return {
    RequestID: text(requestId),
    ErrorCode: { DataType: "Number", StringValue: String(httpStatus) },
    ErrorMessage: text(errorParts(error).message),
  };
}

/** A Lambda destination record (destination.ts) sent to an SQS destination. */
export function destinationMessage(accountId: string, queueArn: string, record: Buffer): QueueLetter | undefined {
  return queueLetter(accountId, queueArn, record.toString("utf8"), {});
}

/** Whether `arn` names an SQS queue of `accountId` (it may still not exist). */
export const isQueueArnOf = (arn: string, accountId: string) => parseQueueArn(arn)?.account === accountId;
