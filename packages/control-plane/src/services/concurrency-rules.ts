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
  return {
    limiter,
    async limitsFor(accountId, functionName) {
      const fnKey = `${accountId}\0${functionName}`;
      let fn = reserved.get(fnKey);
      if (!fn || now() - fn.at >= cacheMs) {
        fn = { at: now(), value: (await settings.getReservedConcurrency(accountId, functionName)) ?? null };
        if (reserved.size > 50_000) reserved.clear();
        reserved.set(fnKey, fn);
      }
      let total = totals.get(accountId);
      if (!total || now() - total.at >= cacheMs) {
        total = { at: now(), value: (await settings.usage(accountId)).reservedConcurrency };
        if (totals.size > 50_000) totals.clear();
        totals.set(accountId, total);
      }
      return { reserved: fn.value, unreservedLimit: Math.max(0, accountLimit - total.value) };
    },
  };
}
