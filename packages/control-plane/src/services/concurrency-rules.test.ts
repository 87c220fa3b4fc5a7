import { describe, expect, it } from "vitest";
import type { ConcurrencyLimiter } from "../routing/concurrency.js";
import type { SettingsStore } from "../store/settings-store.js";
import { createConcurrencyRules } from "./concurrency-rules.js";

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
