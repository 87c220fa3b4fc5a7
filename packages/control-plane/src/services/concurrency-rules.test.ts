import { describe, expect, it } from "vitest";
import type { ConcurrencyLimiter } from "../routing/concurrency.js";
import type { FunctionStore } from "../store/function-store.js";
import type { SettingsStore } from "../store/settings-store.js";
import { createConcurrencyRules } from "./concurrency-rules.js";
import { createSettingsService } from "./settings-service.js";

/** Reservations by function name, and the statements the rules sent for them. */
function fakeSettings(reservations: Record<string, number | null>) {
  const calls: string[] = [];
  const total = () => Object.values(reservations).reduce<number>((sum, r) => sum + (r ?? 0), 0);
  const settings = {
    async reservations(_accountId: string, name: string) {
      calls.push(`both ${name}`);
      return { reserved: reservations[name] ?? null, total: total() };
    },
    async getReservedConcurrency(_accountId: string, name: string) {
      calls.push(`reserved ${name}`);
      return reservations[name] ?? null;
    },
    async reservedTotal() {
      calls.push("total");
      return total();
    },
  } as unknown as SettingsStore;
  return { settings, calls };
}

describe("concurrency rules", () => {
  it("reads a function's reservation and the account's total in one statement when neither is cached", async () => {
    const clock = { t: 0 };
    const { settings, calls } = fakeSettings({ a: 10, b: null });
    const rules = createConcurrencyRules(settings, {} as ConcurrencyLimiter, 1000, 1_000, () => clock.t);
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: 10, unreservedLimit: 990 });
    expect(calls).toEqual(["both a"]);
    // Both cached: no statement.
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: 10, unreservedLimit: 990 });
    expect(calls).toEqual(["both a"]);
    // Another function of the account: only its own reservation is read.
    clock.t = 500;
    expect(await rules.limitsFor("1", "b")).toEqual({ reserved: null, unreservedLimit: 990 });
    expect(calls).toEqual(["both a", "reserved b"]);
    // The account's total has expired, b's reservation not yet: only the total is read.
    clock.t = 1_200;
    await rules.limitsFor("1", "b");
    expect(calls).toEqual(["both a", "reserved b", "total"]);
    // Both expired again: one statement.
    clock.t = 3_000;
    await rules.limitsFor("1", "a");
    expect(calls).toEqual(["both a", "reserved b", "total", "both a"]);
  });
});

describe("concurrency rules, forgetting", () => {
  it("reads a function's reservation and its account's total again once forgotten, within the cache time", async () => {
    const clock = { t: 0 };
    const reservations: Record<string, number | null> = { a: 10, b: 5 };
    const { settings, calls } = fakeSettings(reservations);
    const rules = createConcurrencyRules(settings, {} as ConcurrencyLimiter, 1000, 1_000, () => clock.t);
    await rules.limitsFor("1", "a");
    await rules.limitsFor("1", "b");
    expect(calls).toEqual(["both a", "reserved b"]);
    reservations.a = 50;
    rules.forget("1", "a");
    clock.t = 10;
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: 50, unreservedLimit: 945 });
    // b's reservation is still cached; the account's total was read again with a's.
    expect(await rules.limitsFor("1", "b")).toEqual({ reserved: 5, unreservedLimit: 945 });
    expect(calls).toEqual(["both a", "reserved b", "both a"]);
  });

  it("does not keep a value read while it was being forgotten", async () => {
    const reservations: Record<string, number | null> = { a: 10 };
    const { settings, calls } = fakeSettings(reservations);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // The first read answers only once the gate opens, with what it saw when asked.
    let gated = true;
    const slow = {
      ...settings,
      reservations: async (accountId: string, name: string) => {
        const seen = await settings.reservations(accountId, name);
        if (gated) await gate;
        gated = false;
        return seen;
      },
    } as SettingsStore;
    const rules = createConcurrencyRules(slow, {} as ConcurrencyLimiter, 1000, 1_000, () => 0);
    const inFlight = rules.limitsFor("1", "a");
    await new Promise((r) => setImmediate(r));
    // The reservation changes (and is forgotten) while the read that saw 10 is on its way back.
    reservations.a = 20;
    rules.forget("1", "a");
    release();
    expect(await inFlight).toEqual({ reserved: 10, unreservedLimit: 990 });
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: 20, unreservedLimit: 980 });
    expect(calls).toEqual(["both a", "both a"]);
  });

  it("forgets a function's reservation when the settings service puts or deletes it", async () => {
    const reservations: Record<string, number | null> = { a: null };
    const { settings, calls } = fakeSettings(reservations);
    const store = {
      ...settings,
      reservedElsewhere: async () => 0,
      setReservedConcurrency: async (_accountId: string, name: string, value: number | null) => {
        reservations[name] = value;
        return true;
      },
    } as unknown as SettingsStore;
    const rules = createConcurrencyRules(store, {} as ConcurrencyLimiter, 1000, 1_000, () => 0);
    const functions = { get: async () => ({}) } as unknown as FunctionStore;
    const service = createSettingsService(store, functions, "us-east-1", 1000, rules.forget);
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: null, unreservedLimit: 1000 });
    await service.putConcurrency("1", "a", { ReservedConcurrentExecutions: 7 });
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: 7, unreservedLimit: 993 });
    await service.deleteConcurrency("1", "a");
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: null, unreservedLimit: 1000 });
    // The clock never moved: each read after a write was the forgetting's doing.
    expect(calls).toEqual(["both a", "both a", "both a"]);
  });
});
