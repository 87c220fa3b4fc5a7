// A FunctionStore decorator that keeps found function versions in memory for a short
// time, so a warm invoke needs no Postgres round trip (about 0.5 ms here). Changes
// made through this control plane invalidate at once; another control plane's
// changes are seen within `ttlMs` (Lambda's own updates settle over seconds too).
// Misses are not cached, so a function is invokable as soon as it is created; a
// function created here is cached as created.
import type { FunctionVersion } from "../domain.js";
import type { FunctionStore } from "./function-store.js";

export function createCachedFunctionStore(inner: FunctionStore, ttlMs = 1_000, now = Date.now): FunctionStore {
  const cache = new Map<string, { at: number; fn: FunctionVersion }>();
  const keyOf = (accountId: string, name: string, version: string) => `${accountId}\0${name}\0${version}`;
  const forget = (accountId: string, name: string) => {
    const prefix = `${accountId}\0${name}\0`;
    for (const k of cache.keys()) if (k.startsWith(prefix)) cache.delete(k);
  };
  /** Runs a write and forgets the function's cached versions before and after it. */
  const writing = async <T>(accountId: string, name: string, write: () => Promise<T>): Promise<T> => {
    forget(accountId, name);
    try {
      return await write();
    } finally {
      forget(accountId, name);
    }
  };
  return {
    ...inner,
    async create(fn) {
      const made = await writing(fn.accountId, fn.name, () => inner.create(fn));
      // The first invoke usually follows a create at once: it need not read the row back.
      if (made) cache.set(keyOf(made.accountId, made.name, made.version), { at: now(), fn: made });
      return made;
    },
    updateCode: (a, n, code, rev) => writing(a, n, () => inner.updateCode(a, n, code, rev)),
    updateConfiguration: (a, n, patch, rev) => writing(a, n, () => inner.updateConfiguration(a, n, patch, rev)),
    updateImage: (a, n, image, rev) => writing(a, n, () => inner.updateImage(a, n, image, rev)),
    settleImage: (a, n, rev, outcome) => writing(a, n, () => inner.settleImage(a, n, rev, outcome)),
    delete: (a, n) => writing(a, n, () => inner.delete(a, n)),
    deleteVersion: (a, n, v) => writing(a, n, () => inner.deleteVersion(a, n, v)),
    async get(accountId, name, version) {
      const key = keyOf(accountId, name, version);
      const hit = cache.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.fn;
      const fn = await inner.get(accountId, name, version);
      if (fn) {
        if (cache.size >= 50_000) cache.clear();
        cache.set(key, { at: now(), fn });
      } else cache.delete(key);
      return fn;
    },
  };
}
