// Keeps a released concurrency slot on this control plane for a moment, so that the
// next invoke drawing from the same pool takes it without a Redis round trip (the
// largest single cost of a warm invoke after the two HTTP hops). A parked slot still
// counts in Redis, so the limits hold across control planes; the price is that
// another control plane may see a pool as fuller than it is for up to `lingerMs`
// after an invoke ends. A slot is reused only while its Redis lease covers the new
// invocation's lease, and only while this control plane holds no more slots of the
// pool than its limit (a lowered reservation takes effect at once here). So that
// there is lease left to reuse, slots are taken with `reuseWindowMs` more lease than
// the invocation asks for: a slot serves back-to-back invokes for that long before
// it goes back to Redis, and a crashed control plane's slots expire that much later.
import type { ConcurrencyLimiter, Slot, SlotRequest } from "./concurrency.js";
import { poolOf } from "./concurrency.js";

interface Pool {
  parked: { slot: Slot; at: number }[];
  /** Slots of this pool held here, running or parked. */
  held: number;
}

export interface LingeringLimiter extends ConcurrencyLimiter {
  /** Releases every parked slot (shutdown). */
  close(): Promise<void>;
}

export function createLingeringLimiter(
  inner: ConcurrencyLimiter,
  lingerMs = 50,
  reuseWindowMs = 10_000,
  now = Date.now,
): LingeringLimiter {
  const pools = new Map<string, Pool>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const poolFor = (key: string): Pool => {
    let pool = pools.get(key);
    if (!pool) {
      pool = { parked: [], held: 0 };
      pools.set(key, pool);
    }
    return pool;
  };
  const drop = (pool: Pool, slot: Slot): Promise<void> => {
    pool.held--;
    if (pool.held === 0 && pool.parked.length === 0) pools.delete(slot.key);
    return inner.release(slot);
  };
  const sweep = () => {
    timer = undefined;
    const cutoff = now() - lingerMs;
    for (const pool of [...pools.values()]) {
      const stale = pool.parked.filter((p) => p.at <= cutoff);
      pool.parked = pool.parked.filter((p) => p.at > cutoff);
      for (const p of stale) void drop(pool, p.slot);
    }
    if ([...pools.values()].some((p) => p.parked.length > 0)) schedule();
  };
  const schedule = () => {
    if (timer || closed) return;
    timer = setTimeout(sweep, lingerMs);
    timer.unref();
  };

  return {
    async acquire(req: SlotRequest) {
      const { key, limit } = poolOf(req);
      const pool = pools.get(key);
      while (pool && pool.parked.length > 0) {
        const { slot } = pool.parked.pop() as { slot: Slot };
        if (slot.expiresAt - now() >= req.leaseMs && pool.held <= limit) return slot;
        void drop(pool, slot);
      }
      const slot = await inner.acquire({ ...req, leaseMs: req.leaseMs + reuseWindowMs });
      poolFor(slot.key).held++;
      return slot;
    },
    async release(slot) {
      const pool = poolFor(slot.key);
      if (closed) return drop(pool, slot);
      pool.parked.push({ slot, at: now() });
      schedule();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const all = [...pools.values()].flatMap((pool) => pool.parked.map((p) => ({ pool, slot: p.slot })));
      for (const pool of pools.values()) pool.parked = [];
      await Promise.all(all.map(({ pool, slot }) => drop(pool, slot)));
    },
  };
}
