// Where one of a rule's targets takes an event (matched by a pattern, or made by the
// rule's schedule): an async invocation of the target function, with the target's
// retry policy and dead letter, a message to the target queue, or an execution of the
// target state machine (started by the states module, named by the delivery's id).
import {
  DEFAULT_EVENT_AGE_SECONDS,
  DEFAULT_RETRY_ATTEMPTS,
  functionOfArn,
  machineAccount,
} from "../schedules/firing.js";
import { targetLetter } from "../sqs/target-letters.js";
import type { NewAsyncInvocation } from "../store/async-store.js";
import type { RuleTarget } from "../store/event-store.js";
import type { StartRequest } from "../store/sfn-start-requests.js";
import type { TargetLetter } from "../store/sqs-messages.js";
import { ruleDeadLetter } from "./arns.js";

export interface Deliveries {
  invocations: NewAsyncInvocation[];
  letters: TargetLetter[];
  starts: StartRequest[];
}

/** Adds the delivery of `payload` to target `t` to `into`; false when `t` names no function, queue or state machine of the account. */
export function deliver(
  t: RuleTarget,
  accountId: string,
  ruleArnText: string,
  id: string,
  payload: string,
  into: Deliveries,
): boolean {
  const dead = ruleDeadLetter(t, ruleArnText);
  const machineOf = machineAccount(t.Arn);
  if (machineOf !== undefined) {
    if (machineOf !== accountId) return false;
    into.starts.push({ id, accountId, machineArn: t.Arn, input: payload });
    return true;
  }
  const fn = functionOfArn(t.Arn);
  if (!fn) {
    const letter = targetLetter(accountId, t.Arn, payload, dead.deadLetter);
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
    ...dead,
  });
  return true;
}
