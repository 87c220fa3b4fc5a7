// EventBridge schedule expressions: rate(), cron() in AWS's six-field dialect and at(),
// parsed and checked once, and the next fire time after an instant. cron() is
// evaluated by croner (AWS's dialect is Quartz-like: a year field, `?`, `L`, `W`, `#`,
// 1 = Sunday), configured for it rather than hand-written; the checks AWS makes and
// croner does not (one of the two day fields is `?`, one `#` at most) are made here.
// rate() is anchored at the schedule's creation or StartDate, not at clock boundaries.
import { Cron } from "croner";

export type ScheduleExpression =
  | { kind: "rate"; everyMs: number }
  | { kind: "cron"; cron: Cron }
  | { kind: "at"; at: Date };

/** A schedule expression that AWS would refuse, with AWS's kind of message. */
export class ExpressionError extends Error {}

const MINUTE = 60_000;
const RATE_UNITS: Record<string, number> = { minute: MINUTE, hour: 60 * MINUTE, day: 24 * 60 * MINUTE };

function parseRate(body: string): ScheduleExpression {
  const m = /^(\d{1,7}) (minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!m)
    throw new ExpressionError(
      "Invalid Schedule Expression rate(...): expected rate(value unit), unit minute(s), hour(s) or day(s)",
    );
  const n = Number(m[1]);
  const unit = m[2] as string;
  if (n < 1) throw new ExpressionError("Invalid Schedule Expression: the rate must be a positive whole number");
  // AWS: singular only for 1, plural otherwise.
  if ((n === 1) !== !unit.endsWith("s")) {
    throw new ExpressionError(
      `Invalid Schedule Expression rate(${body.trim()}): use ${n === 1 ? "a singular" : "a plural"} unit for ${n}`,
    );
  }
  return { kind: "rate", everyMs: n * (RATE_UNITS[unit.replace(/s$/, "")] as number) };
}

function parseCron(body: string, timezone: string): ScheduleExpression {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ExpressionError(
      "Invalid Schedule Expression cron(...): expected six fields (minutes hours day-of-month month day-of-week year)",
    );
  }
  const [, , dom, , dow] = fields as [string, string, string, string, string, string];
  if ((dom === "?") === (dow === "?")) {
    throw new ExpressionError(
      "Invalid Schedule Expression cron(...): one of day-of-month and day-of-week must be '?', and only one",
    );
  }
  if ((dow.match(/#/g) ?? []).length > 1) {
    throw new ExpressionError("Invalid Schedule Expression cron(...): only one '#' is allowed in day-of-week");
  }
  // croner reads `?` as "any", as AWS means it: the other day field decides.
  try {
    const cron = new Cron(`0 ${fields.join(" ")}`, {
      mode: "7-part",
      alternativeWeekdays: true,
      sloppyRanges: true,
      timezone,
      paused: true,
    });
    return { kind: "cron", cron };
  } catch (err) {
    throw new ExpressionError(`Invalid Schedule Expression cron(${body.trim()}): ${(err as Error).message}`);
  }
}

function parseAt(body: string, timezone: string): ScheduleExpression {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body.trim())) {
    throw new ExpressionError("Invalid Schedule Expression at(...): expected at(yyyy-mm-ddThh:mm:ss)");
  }
  try {
    const once = new Cron(body.trim(), { timezone, paused: true });
    const at = once.nextRun(new Date(0));
    if (!at) throw new Error("not a valid date");
    return { kind: "at", at };
  } catch (err) {
    throw new ExpressionError(`Invalid Schedule Expression at(${body.trim()}): ${(err as Error).message}`);
  }
}

/** Parses `text` (rate(...), cron(...) or at(...)) in `timezone` (an IANA name); throws ExpressionError. */
export function parseExpression(text: string, timezone = "UTC", opts: { allowAt: boolean } = { allowAt: true }) {
  const m = /^(rate|cron|at)\((.*)\)$/s.exec(text.trim());
  if (!m)
    throw new ExpressionError(
      `Invalid Schedule Expression ${text}: expected rate(...), cron(...)${opts.allowAt ? " or at(...)" : ""}`,
    );
  const [, kind, body] = m as unknown as [string, string, string];
  if (kind === "rate") return parseRate(body);
  if (kind === "cron") return parseCron(body, timezone);
  if (!opts.allowAt)
    throw new ExpressionError(`Invalid Schedule Expression ${text}: at() is for EventBridge Scheduler only`);
  return parseAt(body, timezone);
}

/** Whether `timezone` is an IANA time zone this runtime knows. */
export function knownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first fire time strictly after `after`, or undefined when there is none (an
 * at() passed, a cron whose years are over). `anchor`: where rate() counts from.
 */
export function nextFire(expr: ScheduleExpression, after: Date, anchor: Date): Date | undefined {
  if (expr.kind === "at") return expr.at.getTime() > after.getTime() ? expr.at : undefined;
  if (expr.kind === "cron") return expr.cron.nextRun(after) ?? undefined;
  const since = after.getTime() - anchor.getTime();
  const k = since < 0 ? 0 : Math.floor(since / expr.everyMs) + 1;
  return new Date(anchor.getTime() + k * expr.everyMs);
}
