// Where one of a rule's targets takes an event (matched by a pattern, or made by the
// rule's schedule): the shared delivery of schedules/targets.ts, with EventBridge's
// dead letter (RULE_ARN, TARGET_ARN).
import { type Deliveries, deliver as deliverToTarget } from "../schedules/targets.js";
import type { RuleTarget } from "../store/event-store.js";
import { ruleDeadLetter } from "./arns.js";

export type { Deliveries } from "../schedules/targets.js";

/** Adds the delivery of `payload` to target `t` to `into`; false when `t` names no function, queue, state machine or topic of the account. */
export function deliver(
  t: RuleTarget,
  accountId: string,
  ruleArnText: string,
  id: string,
  payload: string,
  into: Deliveries,
): boolean {
  return deliverToTarget(t, accountId, id, payload, ruleDeadLetter(t, ruleArnText).deadLetter, into);
}
