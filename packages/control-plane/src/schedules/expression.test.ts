// AWS's schedule expressions against known answers (AWS's dialect: 1 = Sunday, `?`,
// L, W, #, a year field), the refusals AWS makes, and rate() anchored at creation.
import { describe, expect, it } from "vitest";
import { ExpressionError, nextFire, parseExpression } from "./expression.js";

const after = new Date("2026-12-04T16:00:00Z");
const next = (text: string, tz = "UTC", anchor = after) =>
  nextFire(parseExpression(text, tz), after, anchor)?.toISOString();

describe("schedule expressions", () => {
  it.each([
    ["cron(0 9 ? * 2#1 *)", "2026-12-07T09:00:00.000Z"], // first Monday
    ["cron(0 0 3W * ? *)", "2027-01-04T00:00:00.000Z"], // Jan 3 2027 is a Sunday: nearest weekday
    ["cron(0 12 ? * 6L *)", "2026-12-25T12:00:00.000Z"], // last Friday
    ["cron(30 13 ? * 1 2027)", "2027-01-03T13:30:00.000Z"], // 1 = Sunday, year field
    ["cron(0/15 * * * ? *)", "2026-12-04T16:15:00.000Z"],
    ["cron(0 10 ? * MON-FRI *)", "2026-12-07T10:00:00.000Z"],
    ["cron(0 18 L * ? *)", "2026-12-31T18:00:00.000Z"],
    ["cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)", "2026-12-05T08:00:00.000Z"], // LocalStack refused this valid one
    ["at(2027-01-01T00:00:00)", "2027-01-01T00:00:00.000Z"],
  ])("%s fires next at %s", (text, expected) => {
    expect(next(text)).toBe(expected);
  });

  it("reads cron() and at() in the schedule's time zone", () => {
    expect(next("cron(0 9 * * ? *)", "Europe/Paris")).toBe("2026-12-05T08:00:00.000Z");
    expect(next("at(2027-01-01T00:00:00)", "America/New_York")).toBe("2027-01-01T05:00:00.000Z");
  });

  it("counts rate() from its anchor, not from clock boundaries", () => {
    const anchor = new Date("2026-12-04T15:58:20Z");
    expect(next("rate(5 minutes)", "UTC", anchor)).toBe("2026-12-04T16:03:20.000Z");
    expect(next("rate(1 hour)", "UTC", anchor)).toBe("2026-12-04T16:58:20.000Z");
    // An anchor in the future (a StartDate) is itself the first tick.
    const start = new Date("2026-12-05T00:00:00Z");
    expect(next("rate(1 day)", "UTC", start)).toBe("2026-12-05T00:00:00.000Z");
  });

  it("has no tick after an at() has passed", () => {
    expect(nextFire(parseExpression("at(2026-01-01T00:00:00)"), after, after)).toBeUndefined();
  });

  it.each([
    ["cron(* * * * * *)", /must be '\?'/],
    ["cron(0 9 ? * ? *)", /must be '\?'/],
    ["cron(0 9 ? * 2#1,3#2 *)", /only one '#'/],
    ["cron(0 9 * * ?)", /six fields/],
    ["cron(61 9 * * ? *)", /cron/],
    ["rate(1 minutes)", /singular/],
    ["rate(2 minute)", /plural/],
    ["rate(0 minutes)", /positive/],
    ["rate(30 seconds)", /unit/],
    ["at(2027-13-01T00:00:00)", /at\(/],
    ["at(tomorrow)", /at\(/],
    ["every(5 minutes)", /expected rate/],
  ])("refuses %s", (text, message) => {
    expect(() => parseExpression(text)).toThrow(ExpressionError);
    expect(() => parseExpression(text)).toThrow(message);
  });
});
