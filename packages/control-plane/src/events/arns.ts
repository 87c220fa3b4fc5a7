// The ARNs of EventBridge buses and rules: a rule on the default bus is rule/<name>,
// on another bus rule/<bus>/<name>, as AWS names them.
import { DEFAULT_BUS, type RuleTarget } from "../store/event-store.js";
import type { DeadLetter } from "../store/sqs-messages.js";

export const busArn = (region: string, accountId: string, name: string) =>
  `arn:aws:events:${region}:${accountId}:event-bus/${name}`;

export const ruleArn = (region: string, r: { accountId: string; busName: string; name: string }) =>
  `arn:aws:events:${region}:${r.accountId}:rule/${r.busName === DEFAULT_BUS ? "" : `${r.busName}/`}${r.name}`;

/** A rule target's dead letter (its DeadLetterConfig), for the async invocation that delivers to it. */
export function ruleDeadLetter(t: RuleTarget, ruleArnText: string): { deadLetter?: DeadLetter } {
  if (!t.DeadLetterConfig) return {};
  return {
    deadLetter: {
      queueArn: t.DeadLetterConfig.Arn,
      kind: "events",
      attributes: { RULE_ARN: ruleArnText, TARGET_ARN: t.Arn },
    },
  };
}
