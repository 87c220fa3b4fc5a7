// A SettingsStore decorator that keeps event-invoke configs (found or absent) in
// memory for a short time, so accepting an async event needs no query for them.
// Writes through this control plane invalidate at once; another control plane's
// writes are seen within `ttlMs`, like the function cache beside it.
import type { EventInvokeConfig } from "../domain.js";
import type { SettingsStore } from "./settings-store.js";

export function createCachedSettingsStore(inner: SettingsStore, ttlMs = 1_000, now = Date.now): SettingsStore {
  const configs = new Map<string, { at: number; config: EventInvokeConfig | undefined }>();
  const keyOf = (accountId: string, name: string, qualifier: string) => `${accountId}\0${name}\0${qualifier}`;
  return {
    ...inner,
    async getEventInvokeConfig(accountId, name, qualifier) {
      const key = keyOf(accountId, name, qualifier);
      const hit = configs.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.config;
      const config = await inner.getEventInvokeConfig(accountId, name, qualifier);
      if (configs.size >= 50_000) configs.clear();
      configs.set(key, { at: now(), config });
      return config;
    },
    async putEventInvokeConfig(config) {
      const key = keyOf(config.accountId, config.functionName, config.qualifier);
      configs.delete(key);
      try {
        return await inner.putEventInvokeConfig(config);
      } finally {
        configs.delete(key);
      }
    },
    async deleteEventInvokeConfig(accountId, name, qualifier) {
      const key = keyOf(accountId, name, qualifier);
      configs.delete(key);
      try {
        return await inner.deleteEventInvokeConfig(accountId, name, qualifier);
      } finally {
        configs.delete(key);
      }
    },
  };
}
