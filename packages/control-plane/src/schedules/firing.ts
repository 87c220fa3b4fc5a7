// What firing a due schedule writes, decided without I/O: each tick due by now (its
// fire time onward, to a cap per claim) becomes an async invocation of the target
// function, a message to the target queue or a state machine's start (targets.ts),
// whose id is derived from the schedule's incarnation and the tick, so a tick claimed
// twice (a control plane killed mid-way, two racing) is written once.
// A tick older than the target's maximum event age when it is finally claimed (every
// control plane was down) is skipped and counted, as Scheduler drops it.
import { createHash } from "node:crypto";
import type { Firing, Schedule } from "../store/schedule-store.js";
import type { DeadLetter } from "../store/sqs-messages.js";
import { nextFire, parseExpression } from "./expression.js";
import { DEFAULT_EVENT_AGE_SECONDS, type Deliveries, deliver } from "./targets.js";

export { DEFAULT_EVENT_AGE_SECONDS, DEFAULT_RETRY_ATTEMPTS, functionOfArn, machineAccount } from "./targets.js";

export interface Planned extends Firing {
  /** Ticks too old to fire when claimed. */
  skipped: number;
  /** The ticks fired, in order. */
  ticks: Date[];
}

/** A UUID derived from `text` (the bits of a version-5 UUID over SHA-256). */
export function derivedUuid(text: string): string {
  const h = createHash("sha256").update(text).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export const scheduleArn = (region: string, s: Pick<Schedule, "accountId" | "groupName" | "name">) =>
  `arn:aws:scheduler:${region}:${s.accountId}:schedule/${s.groupName}/${s.name}`;

/** Input with Scheduler's context placeholders filled in. */
export function fillInput(input: string, values: Record<string, string>): string {
  return input.replace(
    /<aws\.scheduler\.(schedule-arn|scheduled-time|execution-id|attempt-number)>/g,
    (_, k: string) => (values[k] === undefined ? `<aws.scheduler.${k}>` : (values[k] as string)),
  );
}

export function planFiring(s: Schedule, now: Date, region: string, maxTicks = 10): Planned {
  const expr = parseExpression(s.expression, s.timezone);
  const ageSeconds = s.target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS;
  const arn = scheduleArn(region, s);
  const into: Deliveries = { invocations: [], letters: [], starts: [] };
  const ticks: Date[] = [];
  let skipped = 0;
  let tick: Date | undefined = s.nextFireAt;
  const within = (t: Date | undefined) => (t && (!s.endDate || t.getTime() <= s.endDate.getTime()) ? t : undefined);
  while (tick && tick.getTime() <= now.getTime() && ticks.length + skipped < maxTicks) {
    const id = derivedUuid(`${s.accountId}/${s.groupName}/${s.name}/${s.incarnation}/${tick.toISOString()}`);
    const deadLetter: DeadLetter | undefined = s.target.DeadLetterConfig && {
      queueArn: s.target.DeadLetterConfig.Arn,
      kind: "scheduler",
      attributes: { SCHEDULE_ARN: arn, TARGET_ARN: s.target.Arn, EXECUTION_ID: id },
    };
    const payload = fillInput(s.target.Input ?? "{}", {
      "schedule-arn": arn,
      "scheduled-time": tick.toISOString().replace(/\.\d{3}Z$/, "Z"),
      "execution-id": id,
      "attempt-number": "1",
    });
    if (
      now.getTime() - tick.getTime() > ageSeconds * 1000 ||
      !deliver(s.target, s.accountId, id, payload, deadLetter, into)
    ) {
      skipped++;
    } else {
      ticks.push(tick);
    }
    tick = within(nextFire(expr, tick, s.anchor));
  }
  return {
    ...into,
    ticks,
    skipped,
    ...(tick ? { next: tick } : {}),
    remove: !tick && s.actionAfterCompletion === "DELETE",
  };
}

/** A new or updated schedule's first fire time at or after `now` (undefined: none). */
export function firstFire(
  s: Pick<Schedule, "expression" | "timezone" | "anchor" | "startDate" | "endDate">,
  now: Date,
) {
  const expr = parseExpression(s.expression, s.timezone);
  const from = s.startDate && s.startDate.getTime() > now.getTime() ? s.startDate : now;
  // A tick exactly at `from` (an at(), a cron minute, a rate's StartDate) counts: look
  // from just before it. A rate without StartDate first fires one interval after creation.
  const strict = expr.kind === "rate" && !s.startDate;
  const next = nextFire(expr, strict ? from : new Date(from.getTime() - 1), s.anchor);
  return next && (!s.endDate || next.getTime() <= s.endDate.getTime()) ? next : undefined;
}
