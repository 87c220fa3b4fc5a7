import { describe, expect, it } from "vitest";
import { monthOf, quotaExceeded, quotaVerdict } from "./quota-verdict.js";

const resets = new Date("2027-01-01T00:00:00Z");

describe("quotaVerdict", () => {
  it.each<[string, { requests?: number; gbSeconds?: number } | undefined, number, number, string | undefined]>([
    ["no quota", undefined, 1e9, 1e9, undefined],
    ["under both", { requests: 10, gbSeconds: 1 }, 9, 0.5, undefined],
    ["at the request limit", { requests: 10 }, 10, 0, "MonthlyRequestQuotaExceeded"],
    ["past the request limit", { requests: 10 }, 11, 0, "MonthlyRequestQuotaExceeded"],
    ["at the GB-second limit", { gbSeconds: 1 }, 0, 1, "MonthlyGbSecondQuotaExceeded"],
    ["only requests limited", { requests: 10 }, 5, 1e9, undefined],
    ["a zero quota refuses everything", { requests: 0 }, 0, 0, "MonthlyRequestQuotaExceeded"],
  ])("%s", (_label, quota, requests, gbSeconds, reason) => {
    expect(quotaVerdict("123456789012", quota, { requests, gbSeconds }, resets)?.reason).toBe(reason);
  });

  it("says what was used of which quota, and when it resets", () => {
    const r = quotaVerdict("123456789012", { requests: 10 }, { requests: 10, gbSeconds: 0 }, resets);
    expect(r?.message).toBe(
      "Account 123456789012 has used 10 of its monthly quota of 10 requests; it resets at 2027-01-01T00:00:00.000Z.",
    );
  });

  it("is a 429 TooManyRequestsException with its Reason, retried after the month", () => {
    const err = quotaExceeded(
      { reason: "MonthlyGbSecondQuotaExceeded", message: "m" },
      new Date("2026-12-31T23:59:00Z"),
      resets,
    );
    expect(err).toMatchObject({ code: "TooManyRequestsException", status: 429 });
    expect(err.headers).toEqual({ Reason: "MonthlyGbSecondQuotaExceeded", "Retry-After": "60" });
  });
});

describe("monthOf", () => {
  it("is the UTC calendar month", () => {
    const m = monthOf(new Date("2026-12-31T23:30:00-05:00"));
    expect([m.start.toISOString(), m.next.toISOString()]).toEqual([
      "2027-01-01T00:00:00.000Z",
      "2027-02-01T00:00:00.000Z",
    ]);
  });
});
