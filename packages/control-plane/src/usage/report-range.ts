// The time range of a usage report, from its query (Since, Until: ISO 8601 or epoch
// seconds), on whole hours: usage is rolled up per hour, so Since is moved back and
// Until forward to the hour. Defaults: from the start of the current UTC month to now.
// Bounded: a range longer than MAX_REPORT_DAYS is refused, not read.
import { errors } from "@stratus/shared";
import { monthOf } from "./quota-verdict.js";
import type { ReportRange } from "./usage-report.js";

export const MAX_REPORT_DAYS = 400;

const HOUR = 3_600_000;

function instant(name: string, value: unknown): Date | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw errors.invalidParameter(`${name} must be given once`);
  const t = /^\d{1,12}$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(t) || !/^\d{1,12}$|^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw errors.invalidParameter(`${name} must be an ISO 8601 time (2026-12-01T00:00:00Z) or epoch seconds`);
  }
  return new Date(t);
}

export function reportRange(query: { Since?: unknown; Until?: unknown }, now: Date): ReportRange {
  const since = instant("Since", query.Since) ?? monthOf(now).start;
  const until = instant("Until", query.Until) ?? now;
  if (until.getTime() <= since.getTime()) throw errors.invalidParameter("Until must be later than Since");
  const from = Math.floor(since.getTime() / HOUR) * HOUR;
  const to = Math.ceil(until.getTime() / HOUR) * HOUR;
  if (to - from > MAX_REPORT_DAYS * 24 * HOUR) {
    throw errors.invalidParameter(
      `The range from Since to Until may be at most ${MAX_REPORT_DAYS} days; ask for several shorter ranges`,
    );
  }
  return { since: new Date(from), until: new Date(to) };
}
