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
  /** The cached value of `key`, read again once older than cacheMs. */
  async function fresh<T>(cache: Map<string, { at: number; value: T }>, key: string, read: () => Promise<T>) {
    const hit = cache.get(key);
    if (hit && now() - hit.at < cacheMs) return hit.value;
    const entry = { at: now(), value: await read() };
    if (cache.size > 50_000) cache.clear();
    cache.set(key, entry);
    return entry.value;
  }
  return {
    limiter,
    async limitsFor(accountId, functionName) {
      const fnKey = `${accountId}\0${functionName}`;
      // Both lookups at once: a new function's first invoke often misses both.
      const [fn, total] = await Promise.all([
        fresh(reserved, fnKey, async () => (await settings.getReservedConcurrency(accountId, functionName)) ?? null),
        fresh(totals, accountId, () => settings.reservedTotal(accountId)),
      ]);
      return { reserved: fn, unreservedLimit: Math.max(0, accountLimit - total) };
    },
  };
}
