import { describe, expect, it } from "vitest";
import { claimable, epochAfterClaim, heldUntil, type Lease, mustStop, renewEveryMs } from "./lease.js";

const lease = (owner: string | null, expiresAt: number, epoch = 3): Lease => ({ owner, expiresAt, epoch });

describe("lease arithmetic", () => {
  it.each([
    ["free", lease(null, 0), "a", 1000, true],
    ["its own, live", lease("a", 5000), "a", 1000, true],
    ["another's, live", lease("b", 5000), "a", 1000, false],
    ["another's, lapsing now", lease("b", 1000), "a", 1000, true],
    ["another's, lapsed", lease("b", 999), "a", 1000, true],
  ])("claimable when %s", (_what, l, me, now, expected) => {
    expect(claimable(l, me, now)).toBe(expected);
  });

  it.each([
    [lease("a", 0, 3), "a", 3],
    [lease("b", 0, 3), "a", 4],
    [lease(null, 0, 0), "a", 1],
  ])("epoch after claim of %o by %s is %d", (l, me, epoch) => {
    expect(epochAfterClaim(l, me)).toBe(epoch);
  });

  it.each([
    [10_000, 3333],
    [3000, 1000],
    [120, 100],
  ])("a %d ms lease is renewed every %d ms", (ms, every) => {
    expect(renewEveryMs(ms)).toBe(every);
  });

  it("a holder stops before the server could let the lease lapse", () => {
    const until = heldUntil(1000, 6000);
    expect(until).toBe(6000);
    expect(until).toBeLessThan(1000 + 6000);
    expect(mustStop(until, 5999)).toBe(false);
    expect(mustStop(until, 6000)).toBe(true);
  });

  it("renewing on schedule never reaches mustStop", () => {
    const ms = 9000;
    let sent = 0;
    for (let t = 0; t < 100_000; t += renewEveryMs(ms)) {
      expect(mustStop(heldUntil(sent, ms), t)).toBe(false);
      sent = t;
    }
  });
});
