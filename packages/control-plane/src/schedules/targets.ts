// What EventBridge rules and Scheduler schedules share about a target: whether the
// account may use it (a function, a queue, a state machine or an SNS topic of its
// own, and a dead-letter queue), and what delivering a payload to it writes (an async
// invocation, a queue message, an execution's start request, or a message to publish).
import { StratusError } from "@stratus/shared";
import { type ArnRefs, functionOfArn, isSnsArn, machineAccount, parseTopicArn } from "../arns.js";
import type { FunctionService } from "../services/function-service.js";
import type { QueueRefs } from "../sqs/queue-refs.js";
import { targetLetter } from "../sqs/target-letters.js";
import type { Deliveries } from "../store/deliveries.js";
import type { MachineRefs } from "../store/sfn-machine-refs.js";
import type { DeadLetter } from "../store/sqs-messages.js";

/** Scheduler's defaults for a target's RetryPolicy. */
export const DEFAULT_RETRY_ATTEMPTS = 185;
export const DEFAULT_EVENT_AGE_SECONDS = 86_400;

export { functionOfArn, machineAccount } from "../arns.js";
export type { Deliveries } from "../store/deliveries.js";

/** A target as both services describe it. */
export interface Target {
  Arn: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn: string };
}

/** What the checks ask of the other services. */
export interface TargetRefs {
  functions: Pick<FunctionService, "get">;
  queues?: QueueRefs | undefined;
  machines?: MachineRefs | undefined;
  topics?: ArnRefs | undefined;
}

/** Why `t` cannot be a target of `accountId`'s (the field it is in named), if it cannot. */
export async function targetFault(accountId: string, t: Target, refs: TargetRefs): Promise<string | undefined> {
  const queueFault = (arn: string) => (refs.queues ? refs.queues.fault(accountId, arn) : "Stratus serves no SQS here");
  if (t.DeadLetterConfig) {
    const dlq = await queueFault(t.DeadLetterConfig.Arn);
    if (dlq) return `DeadLetterConfig.Arn: ${dlq}`;
  }
  const fn = functionOfArn(t.Arn);
  if (!fn && t.Arn.startsWith("arn:aws:states:")) {
    const fault = refs.machines ? await refs.machines.fault(accountId, t.Arn) : "Stratus serves no Step Functions here";
    return fault && `Arn: ${fault}`;
  }
  if (!fn && isSnsArn(t.Arn)) {
    const fault = refs.topics ? await refs.topics.fault(accountId, t.Arn) : "Stratus serves no SNS here";
    return fault && `Arn: ${fault}`;
  }
  if (!fn && t.Arn.startsWith("arn:aws:sqs:")) {
    const fault = await queueFault(t.Arn);
    return fault && `Arn: ${fault}`;
  }
  if (!fn) {
    return `Arn ${t.Arn} is not a Lambda function, SQS queue, state machine or SNS topic ARN: Stratus targets are its functions, queues, state machines and topics`;
  }
  if (fn.accountId !== accountId) return `Arn ${t.Arn} is not a function of account ${accountId}`;
  try {
    await refs.functions.get(accountId, fn.functionName, fn.qualifier);
    return undefined;
  } catch (err) {
    if (err instanceof StratusError && err.status === 404) return `Arn ${t.Arn}: the function does not exist`;
    throw err;
  }
}

/**
 * Adds the delivery of `payload` to target `t` to `into`, under `id` (the invocation's,
 * or the execution's name); false when `t` names no function, queue, state machine or topic
 * or topic of the account. `deadLetter`: where a function's final failure, or a message whose
 * queue is gone, is written.
 */
export function deliver(
  t: Target,
  accountId: string,
  id: string,
  payload: string,
  deadLetter: DeadLetter | undefined,
  into: Deliveries,
): boolean {
  const machineOf = machineAccount(t.Arn);
  if (machineOf !== undefined) {
    if (machineOf !== accountId) return false;
    into.starts.push({ id, accountId, machineArn: t.Arn, input: payload });
    return true;
  }
  const topic = parseTopicArn(t.Arn);
  if (topic) {
    if (topic.accountId !== accountId) return false;
    into.publishes = [...(into.publishes ?? []), { id, accountId, topicArn: t.Arn, message: payload }];
    return true;
  }
  const fn = functionOfArn(t.Arn);
  if (!fn) {
    const letter = targetLetter(accountId, t.Arn, payload, deadLetter);
    if (letter) into.letters.push(letter);
    return letter !== undefined;
  }
  into.invocations.push({
    id,
    accountId,
    functionName: fn.functionName,
    ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
    payload: Buffer.from(payload),
    maxAttempts: 1 + (t.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS),
    maxEventAgeSeconds: t.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS,
    ...(deadLetter ? { deadLetter } : {}),
  });
  return true;
}
