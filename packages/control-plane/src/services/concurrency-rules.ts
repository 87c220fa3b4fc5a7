// The limits an invoke is checked against: the function's reserved concurrency and
// the account's unreserved pool (the account limit minus all reservations), read
// from Postgres and kept for a second so invokes do not pay a query each. A
// reservation changed through this control plane is forgotten at once (`forget`),
// so the next invoke here applies it; another control plane's change is seen within
// `cacheMs`.
import type { ConcurrencyLimiter } from "../routing/concurrency.js";
import type { SettingsStore } from "../store/settings-store.js";
import type { ConcurrencyRules } from "./invoke-service.js";

export interface CachedConcurrencyRules extends ConcurrencyRules {
  /** Drops what is cached of the function's reservation and of its account's total: one of them changed. */
  forget(accountId: string, functionName: string): void;
}

export function createConcurrencyRules(
  settings: SettingsStore,
  limiter: ConcurrencyLimiter,
  accountLimit: number,
  cacheMs = 1_000,
  now = Date.now,
): CachedConcurrencyRules {
  const reserved = new Map<string, { at: number; value: number | null }>();
  const totals = new Map<string, { at: number; value: number }>();
  // Bumped by every forget: a read begun before it may carry the old value, and is
  // not kept (it still serves the invoke that made it).
  let generation = 0;
  const isFresh = <T extends { at: number }>(entry: T | undefined): entry is T =>
    entry !== undefined && now() - entry.at < cacheMs;
  function remember<T>(cache: Map<string, { at: number; value: T }>, key: string, entry: { at: number; value: T }) {
    if (cache.size > 50_000) cache.clear();
    cache.set(key, entry);
  }
  /** The cached value of `key`, read again once older than cacheMs. */
  async function fresh<T>(cache: Map<string, { at: number; value: T }>, key: string, read: () => Promise<T>) {
    const hit = cache.get(key);
    if (hit && isFresh(hit)) return hit.value;
    const readFrom = generation;
    const entry = { at: now(), value: await read() };
    if (readFrom === generation) remember(cache, key, entry);
    return entry.value;
  }
  return {
    limiter,
    async limitsFor(accountId, functionName) {
      const fnKey = `${accountId}\0${functionName}`;
      const fn = reserved.get(fnKey);
      const total = totals.get(accountId);
      // Both known (every warm invoke): no read to start or wait for.
      if (isFresh(fn) && isFresh(total)) {
        return { reserved: fn.value, unreservedLimit: Math.max(0, accountLimit - total.value) };
      }
      // A new function's first invoke usually misses both: one statement reads both
      // (one round trip, one pooled connection, where two at once could need a new one).
      if (!isFresh(fn) && !isFresh(total)) {
        const at = now();
        const readFrom = generation;
        const both = await settings.reservations(accountId, functionName);
        if (readFrom === generation) {
          remember(reserved, fnKey, { at, value: both.reserved });
          remember(totals, accountId, { at, value: both.total });
        } else {
          return { reserved: both.reserved, unreservedLimit: Math.max(0, accountLimit - both.total) };
        }
      }
      const [fnLimit, accountTotal] = await Promise.all([
        fresh(reserved, fnKey, async () => (await settings.getReservedConcurrency(accountId, functionName)) ?? null),
        fresh(totals, accountId, () => settings.reservedTotal(accountId)),
      ]);
      return { reserved: fnLimit, unreservedLimit: Math.max(0, accountLimit - accountTotal) };
    },
    forget(accountId, functionName) {
      generation++;
      reserved.delete(`${accountId}\0${functionName}`);
      totals.delete(accountId);
    },
  };
}
