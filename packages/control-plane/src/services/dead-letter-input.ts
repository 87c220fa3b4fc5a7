// A function's DeadLetterConfig on CreateFunction and UpdateFunctionConfiguration: the
// SQS queue or SNS topic of the caller's account that its discarded async events go
// to. An empty TargetArn means none (and removes one on update). Other ARNs are
// refused. Checked before anything is stored.
import { errors } from "@stratus/shared";
import type { QueueRefs } from "../sqs/queue-refs.js";

/** What SNS answers of a topic ARN, as SQS does of a queue ARN (sns/topic-refs.ts). */
type TopicRefs = QueueRefs;

const ARN = /^arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*$/;

/** What the check asks of SQS and SNS: whether an ARN names one of the account's queues or topics. */
export interface DeadLetterRefs {
  queues?: QueueRefs | undefined;
  topics?: TopicRefs | undefined;
}

/** The body's DeadLetterConfig.TargetArn: undefined when the body has no DeadLetterConfig, "" for none. */
export async function deadLetterTargetOf(
  accountId: string,
  body: unknown,
  refs: DeadLetterRefs,
): Promise<string | undefined> {
  const config =
    typeof body === "object" && body !== null ? (body as Record<string, unknown>).DeadLetterConfig : undefined;
  if (config === undefined || config === null) return undefined;
  if (typeof config !== "object" || Array.isArray(config)) {
    throw errors.invalidParameter("Invalid value for DeadLetterConfig: expected an object with TargetArn");
  }
  const extra = Object.keys(config).find((k) => k !== "TargetArn");
  if (extra) throw errors.invalidParameter(`Invalid value for DeadLetterConfig: unknown field ${extra.slice(0, 64)}`);
  const arn = (config as { TargetArn?: unknown }).TargetArn;
  if (arn === undefined || arn === null || arn === "") return "";
  if (typeof arn !== "string")
    throw errors.invalidParameter("Invalid value for DeadLetterConfig.TargetArn: expected a string");
  if (!ARN.test(arn)) {
    throw errors.invalidParameter(`Invalid dead letter queue ARN: ${arn.slice(0, 256)} is not an ARN`);
  }
  const service = arn.split(":")[2];
  let fault: string | undefined;
  if (service === "sns") {
    fault = refs.topics ? await refs.topics.fault(accountId, arn) : "Stratus serves no SNS here";
  } else if (service === "sqs") {
    fault = refs.queues ? await refs.queues.fault(accountId, arn) : "Stratus serves no SQS here";
  } else {
    throw errors.invalidParameter(
      `Invalid dead letter queue ARN: ${arn.slice(0, 256)} is not an SQS queue or SNS topic ARN`,
    );
  }
  if (fault) throw errors.invalidParameter(`The provided DeadLetterConfig.TargetArn is invalid: ${fault}`);
  return arn;
}
