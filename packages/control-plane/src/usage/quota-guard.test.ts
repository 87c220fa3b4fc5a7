import { afterEach, describe, expect, it, vi } from "vitest";
import type { Quota } from "../store/quota-store.js";
import type { UsageRow } from "../store/usage-store.js";
import { startQuotaGuard } from "./quota-guard.js";

const A = "111111111111";
const B = "222222222222";
const row = (accountId: string, outcome: UsageRow["outcome"] = "success"): UsageRow => ({
  requestId: "r",
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
    const store = { all: vi.fn(async () => quotas), usedSince: vi.fn(async () => used) };
    const guard = startQuotaGuard(
      { all: store.all },
      { usedSince: store.usedSince },
      {
        refreshMs: 60_000,
        log: { warn: () => undefined },
      },
    );
    await guard.refresh();
    return { guard, store };
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
    const { guard } = await guardWith(new Map([[A, { requests: 5, gbSeconds: 10 }]]), used);
    guard.counted(row(A));
    guard.counted(row(A, "platform_error"));
    expect(() => guard.check(A)).not.toThrow();
    guard.counted(row(A, "timeout"));
    expect(() => guard.check(A)).toThrow(
      expect.objectContaining({ headers: expect.objectContaining({ Reason: "MonthlyRequestQuotaExceeded" }) }),
    );
    // The next read has the rows: the local count starts again from it.
    used.set(A, { requests: 5, gbSeconds: 2 });
    await guard.refresh();
    expect(() => guard.check(A)).toThrow(/5 of its monthly quota/);
    guard.stop();
  });

  it("keeps its local count when a read fails", async () => {
    const { guard, store } = await guardWith(new Map([[A, { gbSeconds: 2 }]]), new Map());
    guard.counted(row(A));
    store.usedSince.mockRejectedValueOnce(new Error("down"));
    await expect(guard.refresh()).rejects.toThrow("down");
    guard.counted(row(A));
    expect(() => guard.check(A)).toThrow(/GB-seconds/);
    guard.stop();
  });
});
