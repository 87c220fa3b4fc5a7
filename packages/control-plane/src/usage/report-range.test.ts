import { describe, expect, it } from "vitest";
import { reportRange } from "./report-range.js";

const now = new Date("2026-12-04T10:20:00Z");
const iso = (r: { since: Date; until: Date }) => [r.since.toISOString(), r.until.toISOString()];

describe("reportRange", () => {
  it("defaults to the month so far, on whole hours", () => {
    expect(iso(reportRange({}, now))).toEqual(["2026-12-01T00:00:00.000Z", "2026-12-04T11:00:00.000Z"]);
  });

  it("widens a range to whole hours", () => {
    expect(iso(reportRange({ Since: "2026-12-04T08:30:00Z", Until: "2026-12-04T09:00:00Z" }, now))).toEqual([
      "2026-12-04T08:00:00.000Z",
      "2026-12-04T09:00:00.000Z",
    ]);
  });

  it("takes epoch seconds", () => {
    expect(iso(reportRange({ Since: "1796342400", Until: "1796346000" }, now))[0]).toBe("2026-12-04T00:00:00.000Z");
  });

  it("takes 400 days", () => {
    expect(() => reportRange({ Since: "2025-11-01T00:00:00Z", Until: "2026-12-06T00:00:00Z" }, now)).not.toThrow();
  });

  it.each([
    [{ Since: "2025-01-01T00:00:00Z", Until: "2026-12-01T00:00:00Z" }, /at most 400 days/],
    [{ Since: "yesterday" }, /Since must be an ISO 8601 time/],
    [{ Until: "2026-13-45" }, /Until must be an ISO 8601 time/],
    [{ Since: "2026-12-04T10:00:00Z", Until: "2026-12-04T10:00:00Z" }, /Until must be later than Since/],
    [{ Since: ["a", "b"] }, /Since must be given once/],
  ])("refuses %j", (q, message) => {
    expect(() => reportRange(q, now)).toThrow(message);
  });
});
