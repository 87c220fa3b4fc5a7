// A PolicyStore decorator that keeps policies read in memory for a short time, so a
// cross-account caller's warm invokes read no Postgres row. Absent policies are kept
// too (a caller without a grant costs no round trip either). Edits made through this
// control plane apply at once; another's, and a policy dropped with its version or
// alias, are seen within `ttlMs`, as function changes are (cached-function-store.ts).
import type { FunctionPolicy } from "../policy.js";
import type { PolicyStore } from "./policy-store.js";

export function createCachedPolicyStore(inner: PolicyStore, ttlMs = 1_000, now = Date.now): PolicyStore {
  const cache = new Map<string, { at: number; policy: FunctionPolicy | undefined }>();
  const keyOf = (accountId: string, name: string, qualifier: string) => `${accountId}\0${name}\0${qualifier}`;
  return {
    async get(accountId, name, qualifier) {
      const key = keyOf(accountId, name, qualifier);
      const hit = cache.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.policy;
      const policy = await inner.get(accountId, name, qualifier);
      if (cache.size >= 50_000) cache.clear();
      cache.set(key, { at: now(), policy });
      return policy;
    },
    async edit(accountId, name, qualifier, edit) {
      const key = keyOf(accountId, name, qualifier);
      cache.delete(key);
      try {
        return await inner.edit(accountId, name, qualifier, edit);
      } finally {
        // Also after a failure: a failed commit may still have committed.
        cache.delete(key);
      }
    },
  };
}
