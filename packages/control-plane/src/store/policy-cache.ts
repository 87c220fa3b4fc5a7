// Policies read for enforcement, kept in memory for a short time, so a cross-account
// caller's warm invokes read no Postgres row; absent policies are kept too (a caller
// without a grant costs no round trip either). The policy service forgets what it
// edits, so its edits apply at once here; another control plane's, and a policy
// dropped with its version or alias, are seen within `ttlMs`, as function changes
// are (cached-function-store.ts). The API's own reads (GetPolicy) do not use it.
import type { FunctionPolicy } from "../policy.js";
import type { PolicyStore } from "./policy-store.js";

export interface PolicyCache {
  get(accountId: string, functionName: string, qualifier: string): Promise<FunctionPolicy | undefined>;
  forget(accountId: string, functionName: string, qualifier: string): void;
}

export function createPolicyCache(load: PolicyStore["get"], ttlMs = 1_000, now = Date.now): PolicyCache {
  const cache = new Map<string, { at: number; policy: FunctionPolicy | undefined }>();
  const keyOf = (accountId: string, name: string, qualifier: string) => `${accountId}\0${name}\0${qualifier}`;
  return {
    async get(accountId, name, qualifier) {
      const key = keyOf(accountId, name, qualifier);
      const hit = cache.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.policy;
      const policy = await load(accountId, name, qualifier);
      if (cache.size >= 50_000) cache.clear();
      cache.set(key, { at: now(), policy });
      return policy;
    },
    forget(accountId, name, qualifier) {
      cache.delete(keyOf(accountId, name, qualifier));
    },
  };
}
