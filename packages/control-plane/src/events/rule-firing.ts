// What firing a due scheduled rule writes, decided without I/O, as firing.ts decides
// it for a schedule: each tick due by now (to a cap per claim) becomes, for each of the
// rule's targets, an async invocation of the target function or a message to the
// target queue, with the Scheduled Event (or the target's own input). Ids derive from (rule incarnation, target, tick), so a
// tick claimed twice is written once; a tick older than a target's maximum event age
// is skipped for that target and counted.

import { nextFire, parseExpression } from "../schedules/expression.js";
import { DEFAULT_EVENT_AGE_SECONDS, derivedUuid, type Planned } from "../schedules/firing.js";
import type { Rule } from "../store/event-store.js";
import { ruleArn } from "./arns.js";
import { eventTime, scheduledEvent } from "./envelope.js";
import { type Deliveries, deliver } from "./rule-delivery.js";
import { targetPayload } from "./target-input.js";

export function planRuleFiring(r: Rule, now: Date, region: string, maxTicks = 10): Planned {
  const arn = ruleArn(region, r);
  const into: Deliveries = { invocations: [], letters: [], starts: [] };
  const ticks: Date[] = [];
  let skipped = 0;
  if (!r.scheduleExpression) return { ...into, ticks, skipped, remove: false };
  const expr = parseExpression(r.scheduleExpression, "UTC", { allowAt: false });
  let tick: Date | undefined = r.nextFireAt;
  while (tick && tick.getTime() <= now.getTime() && ticks.length < maxTicks) {
    const eventId = derivedUuid(`events/${r.accountId}/${r.busName}/${r.name}/${r.incarnation}/${tick.toISOString()}`);
    const event = scheduledEvent(eventId, r.accountId, region, arn, tick);
    const ctx = { ruleArn: arn, ruleName: r.name, ingestionTime: eventTime(tick) };
    for (const target of r.targets) {
      const ageSeconds = target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS;
      const payload = targetPayload(target, event, ctx);
      const id = derivedUuid(`${eventId}/${target.Id}`);
      if (now.getTime() - tick.getTime() > ageSeconds * 1000 || !deliver(target, r.accountId, arn, id, payload, into)) {
        skipped++;
      }
    }
    ticks.push(tick);
    tick = nextFire(expr, tick, r.anchor);
  }
  return { ...into, ticks, skipped, ...(tick ? { next: tick } : {}), remove: false };
}

/** A scheduled rule's first fire time after `now` (rate() counts from the rule's creation). */
export function firstRuleFire(expression: string, anchor: Date, now: Date): Date | undefined {
  const expr = parseExpression(expression, "UTC", { allowAt: false });
  return nextFire(expr, expr.kind === "rate" ? now : new Date(now.getTime() - 1), anchor);
}
