import { afterEach, describe, expect, it, vi } from "vitest";
import type { Quota } from "../store/quota-store.js";
import { attemptKey, type UsageRow } from "../store/usage-store.js";
import { startQuotaGuard } from "./quota-guard.js";

const A = "111111111111";
const B = "222222222222";
let n = 0;
const row = (accountId: string, outcome: UsageRow["outcome"] = "success"): UsageRow => ({
  requestId: `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
  attempt: 1,
  accountId,
  functionName: "f",
  version: "$LATEST",
  resource: "",
  invocationType: "RequestResponse",
  outcome,
  endedAt: new Date(),
  memoryMb: 1024,
  durationMs: 999,
  initMs: 0,
  billedMs: 1000,
  cold: false,
});

describe("quota guard", () => {
  afterEach(() => vi.useRealTimers());

  async function guardWith(quotas: Map<string, Quota>, used: Map<string, { requests: number; gbSeconds: number }>) {
    // The rows Postgres has, by attemptKey: the reads say which of those asked about are there.
    const written = new Set<string>();
    const store = {
      all: vi.fn(async () => quotas),
      usedSinceWith: vi.fn(async (_since: Date, _ids: string[], pending: string[]) => ({
        used,
        written: new Set(pending.filter((k) => written.has(k))),
      })),
    };
    const guard = startQuotaGuard(
      { all: store.all },
      { usedSinceWith: store.usedSinceWith },
      {
        refreshMs: 60_000,
        log: { warn: () => undefined },
      },
    );
    await guard.refresh();
    return { guard, store, written };
  }

  it("lets an account without a quota through", async () => {
    const { guard } = await guardWith(new Map([[A, { requests: 1 }]]), new Map([[A, { requests: 5, gbSeconds: 0 }]]));
    expect(() => guard.check(B)).not.toThrow();
    guard.stop();
  });

  it("refuses an account at its quota as Postgres last told", async () => {
    const { guard } = await guardWith(new Map([[A, { requests: 5 }]]), new Map([[A, { requests: 5, gbSeconds: 0 }]]));
    expect(() => guard.check(A)).toThrow(/has used 5 of its monthly quota of 5 requests/);
    guard.stop();
  });

  it("adds what it metered itself until the next read, platform errors aside", async () => {
    const used = new Map([[A, { requests: 3, gbSeconds: 0 }]]);
    const { guard, written } = await guardWith(new Map([[A, { requests: 5, gbSeconds: 10 }]]), used);
    const first = row(A);
    guard.counted(first);
    guard.counted(row(A, "platform_error"));
    expect(() => guard.check(A)).not.toThrow();
    const second = row(A, "timeout");
    guard.counted(second);
    expect(() => guard.check(A)).toThrow(
      expect.objectContaining({ headers: expect.objectContaining({ Reason: "MonthlyRequestQuotaExceeded" }) }),
    );
    // The next read has the rows: the local count starts again from it.
    used.set(A, { requests: 5, gbSeconds: 2 });
    written.add(attemptKey(first)).add(attemptKey(second));
    await guard.refresh();
    expect(() => guard.check(A)).toThrow(/5 of its monthly quota/);
    guard.stop();
  });

  it("keeps counting an attempt whose row a read did not have yet, and only until one has it", async () => {
    const used = new Map([[A, { requests: 3, gbSeconds: 0 }]]);
    const { guard, written } = await guardWith(new Map([[A, { requests: 4 }]]), used);
    // Answered and counted; its row is still held by the meter when the next read runs.
    const early = row(A);
    guard.counted(early);
    await guard.refresh();
    expect(() => guard.check(A)).toThrow(/has used 4 of its monthly quota of 4 requests/);
    // Written: the read has it (in its totals) and the guard no longer adds it.
    used.set(A, { requests: 4, gbSeconds: 0 });
    written.add(attemptKey(early));
    await guard.refresh();
    expect(() => guard.check(A)).toThrow(/has used 4 of its monthly quota/);
    used.set(A, { requests: 3, gbSeconds: 0 });
    await guard.refresh();
    expect(() => guard.check(A)).not.toThrow();
    guard.stop();
  });

  it("stops counting a row never written once it is lost, and one of last month's at the new month", async () => {
    vi.useFakeTimers({ now: new Date("2026-03-31T23:50:00Z"), toFake: ["Date"] });
    const used = new Map([[A, { requests: 0, gbSeconds: 0 }]]);
    const { guard } = await guardWith(new Map([[A, { requests: 1 }]]), used);
    guard.counted(row(A));
    await guard.refresh();
    expect(() => guard.check(A)).toThrow(/has used 1 of its monthly quota of 1/);
    vi.setSystemTime(new Date("2026-04-01T00:00:01Z"));
    await guard.refresh();
    expect(() => guard.check(A)).not.toThrow();
    guard.counted(row(A));
    vi.setSystemTime(new Date("2026-04-01T00:14:00Z"));
    await guard.refresh();
    expect(() => guard.check(A)).toThrow(/has used 1 of its monthly quota of 1/);
    vi.setSystemTime(new Date("2026-04-01T00:16:00Z"));
    await guard.refresh();
    expect(() => guard.check(A)).not.toThrow();
    guard.stop();
  });

  it("keeps its local count when a read fails", async () => {
    const { guard, store } = await guardWith(new Map([[A, { gbSeconds: 2 }]]), new Map());
    guard.counted(row(A));
    store.usedSinceWith.mockRejectedValueOnce(new Error("down"));
    await expect(guard.refresh()).rejects.toThrow("down");
    guard.counted(row(A));
    expect(() => guard.check(A)).toThrow(/GB-seconds/);
    guard.stop();
  });
});
