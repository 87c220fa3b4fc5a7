import { describe, expect, it } from "vitest";
import type { EventInvokeConfig } from "../domain.js";
import { createCachedSettingsStore } from "./cached-settings-store.js";
import type { SettingsStore } from "./settings-store.js";

function fakeStore() {
  const stored = new Map<string, EventInvokeConfig>();
  let reads = 0;
  const store = {
    async getEventInvokeConfig(accountId: string, name: string, qualifier: string) {
      reads++;
      return stored.get(`${accountId}/${name}/${qualifier}`);
    },
    async putEventInvokeConfig(config: Omit<EventInvokeConfig, "lastModified">) {
      const full = { ...config, lastModified: new Date(0) };
      stored.set(`${config.accountId}/${config.functionName}/${config.qualifier}`, full);
      return full;
    },
    async deleteEventInvokeConfig(accountId: string, name: string, qualifier: string) {
      return stored.delete(`${accountId}/${name}/${qualifier}`);
    },
  } as unknown as SettingsStore;
  return { store, reads: () => reads };
}

describe("createCachedSettingsStore", () => {
  it("serves a config (or its absence) from memory until the TTL passes", async () => {
    const fake = fakeStore();
    let t = 0;
    const cached = createCachedSettingsStore(fake.store, 1_000, () => t);
    expect(await cached.getEventInvokeConfig("a", "f", "$LATEST")).toBeUndefined();
    expect(await cached.getEventInvokeConfig("a", "f", "$LATEST")).toBeUndefined();
    expect(fake.reads()).toBe(1);
    t = 1_000;
    await cached.getEventInvokeConfig("a", "f", "$LATEST");
    expect(fake.reads()).toBe(2);
  });

  it("forgets a config written or deleted through it", async () => {
    const fake = fakeStore();
    const cached = createCachedSettingsStore(fake.store, 60_000, () => 0);
    expect(await cached.getEventInvokeConfig("a", "f", "$LATEST")).toBeUndefined();
    await cached.putEventInvokeConfig({
      accountId: "a",
      functionName: "f",
      qualifier: "$LATEST",
      maximumRetryAttempts: 0,
      destinationConfig: {},
    });
    expect((await cached.getEventInvokeConfig("a", "f", "$LATEST"))?.maximumRetryAttempts).toBe(0);
    await cached.deleteEventInvokeConfig("a", "f", "$LATEST");
    expect(await cached.getEventInvokeConfig("a", "f", "$LATEST")).toBeUndefined();
  });
});
