import { errors } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { type ConcurrencyLimiter, type SlotRequest, throttled } from "./concurrency.js";
import { countThrottles } from "./counted-limiter.js";

const req: SlotRequest = {
  accountId: "123456789012",
  functionName: "fn",
  requestId: "r",
  leaseMs: 1000,
  reserved: 1,
  unreservedLimit: 900,
};
const slot = { key: "k", member: "r", expiresAt: 0 };

function limiterThat(acquire: () => Promise<typeof slot>): ConcurrencyLimiter {
  return { acquire, release: async () => undefined };
}

describe("countThrottles", () => {
  it.each([
    ["a reserved pool's throttle", throttled("ReservedFunctionConcurrentInvocationLimitExceeded"), 1],
    ["the account pool's throttle", throttled("ConcurrentInvocationLimitExceeded"), 1],
    ["Redis being away", errors.service("Concurrency accounting is unavailable"), 0],
  ])("counts %s %i time(s) and passes the error on", async (_what, error, counted) => {
    const seen: string[] = [];
    const limiter = countThrottles(
      limiterThat(() => Promise.reject(error)),
      (r, reason) => seen.push(`${r.functionName}:${reason}`),
    );
    await expect(limiter.acquire(req)).rejects.toBe(error);
    expect(seen).toHaveLength(counted);
    if (counted) expect(seen[0]).toBe(`fn:${error.headers.Reason}`);
  });

  it("counts nothing for a slot it got", async () => {
    const seen: string[] = [];
    const limiter = countThrottles(
      limiterThat(async () => slot),
      (_r, reason) => seen.push(reason),
    );
    await expect(limiter.acquire(req)).resolves.toBe(slot);
    expect(seen).toEqual([]);
  });
});
