import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ConcurrencyLimiter, poolOf, type Slot, type SlotRequest } from "./concurrency.js";
import { createLingeringLimiter } from "./lingering-limiter.js";

/** An in-memory stand-in for the Redis limiter: counts slots per pool. */
function fakeInner() {
  const inUse = new Map<string, Set<string>>();
  const calls = { acquire: 0, release: 0 };
  const inner: ConcurrencyLimiter = {
    async acquire(req) {
      calls.acquire++;
      const { key, limit } = poolOf(req);
      const set = inUse.get(key) ?? new Set<string>();
      inUse.set(key, set);
      if (set.size >= limit) throw new Error("throttled");
      set.add(req.requestId);
      return { key, member: req.requestId, expiresAt: Date.now() + req.leaseMs };
    },
    async release(slot: Slot) {
      calls.release++;
      inUse.get(slot.key)?.delete(slot.member);
    },
  };
  return { inner, calls, inUse: (key: string) => inUse.get(key)?.size ?? 0 };
}

const req = (over: Partial<SlotRequest> = {}): SlotRequest => ({
  accountId: "111122223333",
  functionName: "f",
  requestId: `r-${Math.random()}`,
  leaseMs: 33_000,
  reserved: null,
  unreservedLimit: 900,
  ...over,
});

describe("createLingeringLimiter", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands a just-released slot to the next invoke of the pool without asking Redis", async () => {
    const fake = fakeInner();
    const limiter = createLingeringLimiter(fake.inner, 50);
    const a = await limiter.acquire(req());
    // Time passes between invokes: the slot's lease must still cover the next one.
    vi.advanceTimersByTime(5);
    await limiter.release(a);
    vi.advanceTimersByTime(5);
    const b = await limiter.acquire(req({ functionName: "g" }));
    expect(b).toBe(a);
    expect(fake.calls.acquire).toBe(1);
    await limiter.release(b);
    expect(fake.inUse(a.key)).toBe(1);
    vi.advanceTimersByTime(120);
    expect(fake.calls.release).toBe(1);
    expect(fake.inUse(a.key)).toBe(0);
  });

  it("never lets more run at once than the pool allows (reserved 1, parallel invokes)", async () => {
    const fake = fakeInner();
    const limiter = createLingeringLimiter(fake.inner, 50);
    const r = req({ reserved: 1 });
    const first = await limiter.acquire(r);
    await expect(limiter.acquire(req({ reserved: 1 }))).rejects.toThrow("throttled");
    await limiter.release(first);
    const again = await limiter.acquire(req({ reserved: 1 }));
    expect(again).toBe(first);
    await expect(limiter.acquire(req({ reserved: 1 }))).rejects.toThrow("throttled");
  });

  it("gives back instead of reusing when the reservation was lowered or the lease is too short", async () => {
    const fake = fakeInner();
    const limiter = createLingeringLimiter(fake.inner, 50);
    const a = await limiter.acquire(req({ reserved: 2 }));
    const b = await limiter.acquire(req({ reserved: 2 }));
    await limiter.release(a);
    await limiter.release(b);
    // Reservation now 1: this control plane holds 2 slots of the pool, so it frees one
    // and reuses the other; a second invoke at once is refused.
    const one = await limiter.acquire(req({ reserved: 1 }));
    expect(fake.inUse(a.key)).toBe(1);
    await expect(limiter.acquire(req({ reserved: 1 }))).rejects.toThrow("throttled");
    await limiter.release(one);
    await vi.runAllTimersAsync();
    expect(fake.inUse(a.key)).toBe(0);
    const c = await limiter.acquire(req({ leaseMs: 10_000 }));
    await limiter.release(c);
    const d = await limiter.acquire(req({ leaseMs: 60_000 }));
    expect(d).not.toBe(c);
    expect(fake.calls.acquire).toBe(5); // a, b, the refused one, c, d
  });

  it("goes back to Redis once a slot's extra lease has been used up", async () => {
    const fake = fakeInner();
    const limiter = createLingeringLimiter(fake.inner, 50, 1_000);
    let slot = await limiter.acquire(req());
    for (let i = 0; i < 30; i++) {
      vi.advanceTimersByTime(40);
      await limiter.release(slot);
      slot = await limiter.acquire(req());
    }
    // 1,200 ms of back-to-back invokes on a 1,000 ms reuse window: one fresh slot.
    expect(fake.calls.acquire).toBe(2);
    expect(fake.calls.release).toBe(1);
    expect(fake.inUse(slot.key)).toBe(1);
  });

  it("frees every parked slot on close", async () => {
    const fake = fakeInner();
    const limiter = createLingeringLimiter(fake.inner, 60_000);
    const slots = await Promise.all([limiter.acquire(req()), limiter.acquire(req()), limiter.acquire(req())]);
    for (const s of slots) await limiter.release(s);
    expect(fake.inUse(slots[0]?.key ?? "")).toBe(3);
    await limiter.close();
    expect(fake.inUse(slots[0]?.key ?? "")).toBe(0);
  });
});
