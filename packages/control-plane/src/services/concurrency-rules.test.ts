import { describe, expect, it } from "vitest";
import type { ConcurrencyLimiter } from "../routing/concurrency.js";
import type { FunctionStore } from "../store/function-store.js";
import type { SettingsStore } from "../store/settings-store.js";
import { createConcurrencyRules } from "./concurrency-rules.js";
import { createSettingsService } from "./settings-service.js";

/** Reservations by function name, and the accounts read (one statement each). */
function fakeSettings(reservations: Record<string, number | null>) {
  const reads: string[] = [];
  const settings = {
    async reservationsOf(accountId: string) {
      reads.push(accountId);
      const held = Object.entries(reservations).filter((e): e is [string, number] => e[1] !== null);
      return new Map(held);
    },
  } as unknown as SettingsStore;
  return { settings, reads };
}

const limiter = {} as ConcurrencyLimiter;

describe("concurrency rules", () => {
  it("reads an account's reservations in one statement, which serves each of its functions, new ones too", async () => {
    const clock = { t: 0 };
    const { settings, reads } = fakeSettings({ a: 10, b: null, c: 5 });
    const rules = createConcurrencyRules(settings, limiter, 1000, 1_000, () => clock.t);
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: 10, unreservedLimit: 985 });
    expect(await rules.limitsFor("1", "b")).toEqual({ reserved: null, unreservedLimit: 985 });
    // A function the account did not have when it was read: no reservation, nothing read.
    expect(await rules.limitsFor("1", "new")).toEqual({ reserved: null, unreservedLimit: 985 });
    expect(reads).toEqual(["1"]);
    // Another account is read on its own.
    await rules.limitsFor("2", "a");
    expect(reads).toEqual(["1", "2"]);
    // Expired: read again.
    clock.t = 1_000;
    await rules.limitsFor("1", "a");
    expect(reads).toEqual(["1", "2", "1"]);
  });

  it("reads an account once for a burst of invokes that find it uncached", async () => {
    const { settings, reads } = fakeSettings({ a: 10 });
    const rules = createConcurrencyRules(settings, limiter, 1000, 1_000, () => 0);
    const limits = await Promise.all([rules.limitsFor("1", "a"), rules.limitsFor("1", "b"), rules.limitsFor("1", "a")]);
    expect(limits.map((l) => l.reserved)).toEqual([10, null, 10]);
    expect(reads).toEqual(["1"]);
  });
});

describe("concurrency rules, with notices of changes", () => {
  it("keeps an account for the longer time only while notices are heard, since its read began", async () => {
    const clock = { t: 0 };
    const notices = { heard: false, listening: () => notices.heard, cacheMs: 10_000 };
    const { settings, reads } = fakeSettings({ a: 1 });
    const rules = createConcurrencyRules(settings, limiter, 1000, 1_000, () => clock.t, notices);
    // Not heard: the short time.
    await rules.limitsFor("1", "a");
    clock.t = 1_000;
    await rules.limitsFor("1", "a");
    expect(reads).toEqual(["1", "1"]);
    // Heard (after which the listener forgets everything): the long time.
    notices.heard = true;
    rules.forgetAll();
    await rules.limitsFor("1", "a");
    clock.t = 10_999;
    await rules.limitsFor("1", "a");
    expect(reads).toEqual(["1", "1", "1"]);
    clock.t = 11_000;
    await rules.limitsFor("1", "a");
    expect(reads).toEqual(["1", "1", "1", "1"]);
  });

  it("forgets an account at its notice, and everything when the notices are lost", async () => {
    const clock = { t: 0 };
    const notices = { listening: () => true, cacheMs: 10_000 };
    const reservations: Record<string, number | null> = { a: 10 };
    const { settings, reads } = fakeSettings(reservations);
    const rules = createConcurrencyRules(settings, limiter, 1000, 1_000, () => clock.t, notices);
    await rules.limitsFor("1", "a");
    await rules.limitsFor("2", "a");
    // Another control plane changes account 1's reservation: its notice names the account.
    reservations.a = 0;
    rules.forget("1");
    clock.t = 10;
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: 0, unreservedLimit: 1000 });
    expect(await rules.limitsFor("2", "a")).toEqual({ reserved: 10, unreservedLimit: 990 });
    expect(reads).toEqual(["1", "2", "1"]);
    rules.forgetAll();
    await rules.limitsFor("2", "a");
    expect(reads).toEqual(["1", "2", "1", "2"]);
  });
});

describe("concurrency rules, forgetting", () => {
  it("does not keep a value read while it was being forgotten", async () => {
    const reservations: Record<string, number | null> = { a: 10 };
    const { settings, reads } = fakeSettings(reservations);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // The first read answers only once the gate opens, with what it saw when asked.
    let gated = true;
    const slow = {
      reservationsOf: async (accountId: string) => {
        const seen = await settings.reservationsOf(accountId);
        if (gated) await gate;
        gated = false;
        return seen;
      },
    };
    const rules = createConcurrencyRules(slow, limiter, 1000, 1_000, () => 0);
    const inFlight = rules.limitsFor("1", "a");
    await new Promise((r) => setImmediate(r));
    // The reservation changes (and is forgotten) while the read that saw 10 is on its way back.
    reservations.a = 20;
    rules.forget("1");
    // An invoke meanwhile does not share the read begun before the change.
    const after = rules.limitsFor("1", "a");
    release();
    expect(await inFlight).toEqual({ reserved: 10, unreservedLimit: 990 });
    expect(await after).toEqual({ reserved: 20, unreservedLimit: 980 });
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: 20, unreservedLimit: 980 });
    expect(reads).toEqual(["1", "1"]);
  });

  it("forgets a function's reservation when the settings service puts or deletes it", async () => {
    const reservations: Record<string, number | null> = { a: null };
    const { settings, reads } = fakeSettings(reservations);
    const store = {
      ...settings,
      reservedElsewhere: async () => 0,
      setReservedConcurrency: async (_accountId: string, name: string, value: number | null) => {
        reservations[name] = value;
        return true;
      },
    } as unknown as SettingsStore;
    const rules = createConcurrencyRules(store, limiter, 1000, 1_000, () => 0);
    const functions = { get: async () => ({}) } as unknown as FunctionStore;
    const service = createSettingsService(store, functions, "us-east-1", 1000, rules.forget);
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: null, unreservedLimit: 1000 });
    await service.putConcurrency("1", "a", { ReservedConcurrentExecutions: 7 });
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: 7, unreservedLimit: 993 });
    await service.deleteConcurrency("1", "a");
    expect(await rules.limitsFor("1", "a")).toEqual({ reserved: null, unreservedLimit: 1000 });
    // The clock never moved: each read after a write was the forgetting's doing.
    expect(reads).toEqual(["1", "1", "1"]);
  });
});
