// The limits an invoke is checked against: the function's reserved concurrency and
// the account's unreserved pool (the account limit minus all reservations), read
// from Postgres and kept for a second so invokes do not pay a query each.
import type { ConcurrencyLimiter } from "../routing/concurrency.js";
import type { SettingsStore } from "../store/settings-store.js";
import type { ConcurrencyRules } from "./invoke-service.js";

export function createConcurrencyRules(
  settings: SettingsStore,
  limiter: ConcurrencyLimiter,
  accountLimit: number,
  cacheMs = 1_000,
  now = Date.now,
): ConcurrencyRules {
  const reserved = new Map<string, { at: number; value: number | null }>();
  const totals = new Map<string, { at: number; value: number }>();
  const isFresh = (entry: { at: number } | undefined) => entry !== undefined && now() - entry.at < cacheMs;
  function remember<T>(cache: Map<string, { at: number; value: T }>, key: string, entry: { at: number; value: T }) {
    if (cache.size > 50_000) cache.clear();
    cache.set(key, entry);
  }
  /** The cached value of `key`, read again once older than cacheMs. */
  async function fresh<T>(cache: Map<string, { at: number; value: T }>, key: string, read: () => Promise<T>) {
    const hit = cache.get(key);
    if (hit && isFresh(hit)) return hit.value;
    const entry = { at: now(), value: await read() };
    remember(cache, key, entry);
    return entry.value;
  }
  return {
    limiter,
    async limitsFor(accountId, functionName) {
      const fnKey = `${accountId}\0${functionName}`;
      // A new function's first invoke usually misses both: one statement reads both
      // (one round trip, one pooled connection, where two at once could need a new one).
      if (!isFresh(reserved.get(fnKey)) && !isFresh(totals.get(accountId))) {
        const at = now();
        const both = await settings.reservations(accountId, functionName);
        remember(reserved, fnKey, { at, value: both.reserved });
        remember(totals, accountId, { at, value: both.total });
      }
      const [fn, total] = await Promise.all([
        fresh(reserved, fnKey, async () => (await settings.getReservedConcurrency(accountId, functionName)) ?? null),
        fresh(totals, accountId, () => settings.reservedTotal(accountId)),
      ]);
      return { reserved: fn, unreservedLimit: Math.max(0, accountLimit - total) };
    },
  };
}
