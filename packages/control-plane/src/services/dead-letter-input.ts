// A function's DeadLetterConfig on CreateFunction and UpdateFunctionConfiguration: the
// SQS queue of the caller's account that its discarded async events go to. An empty
// TargetArn means none (and removes one on update). Lambda also takes an SNS topic;
// Stratus serves no SNS, so a topic is refused by name. Checked before anything is stored.
import { errors } from "@stratus/shared";
import type { QueueRefs } from "../sqs/queue-refs.js";

const ARN = /^arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*$/;

/** The body's DeadLetterConfig.TargetArn: undefined when the body has no DeadLetterConfig, "" for none. */
export async function deadLetterTargetOf(
  accountId: string,
  body: unknown,
  queues: QueueRefs | undefined,
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
  if (service === "sns") {
    throw errors.invalidParameter(
      "DeadLetterConfig.TargetArn names an SNS topic: Stratus does not serve SNS; use an SQS queue ARN of this account",
    );
  }
  if (service !== "sqs") {
    throw errors.invalidParameter(`Invalid dead letter queue ARN: ${arn.slice(0, 256)} is not an SQS queue ARN`);
  }
  const fault = queues ? await queues.fault(accountId, arn) : "Stratus serves no SQS here";
  if (fault) throw errors.invalidParameter(`The provided DeadLetterConfig.TargetArn is invalid: ${fault}`);
  return arn;
}
