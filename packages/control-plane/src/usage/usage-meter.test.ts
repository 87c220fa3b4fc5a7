import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { UsageRow } from "../store/usage-store.js";
import { createUsageMeter } from "./usage-meter.js";

const row = (n: number): UsageRow => ({
  requestId: `r${n}`,
  attempt: 1,
  accountId: "000000000000",
  functionName: "f",
  version: "$LATEST",
  resource: "",
  invocationType: "RequestResponse",
  outcome: "success",
  endedAt: new Date(0),
  memoryMb: 128,
  durationMs: 1,
  initMs: 0,
  billedMs: 1,
  cold: false,
});

describe("usage meter", () => {
  let writes: string[][];
  let registry: Registry;
  const errors: string[] = [];
  const meter = (write?: (rows: UsageRow[]) => Promise<void>) =>
    createUsageMeter(
      write ??
        (async (rows) => {
          writes.push(rows.map((r) => r.requestId));
        }),
      registry,
      { error: (m: string) => void errors.push(m) },
    );

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    writes = [];
    registry = new Registry();
    errors.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it("holds back-to-back rows for up to 100 ms and writes them in one statement", async () => {
    const m = meter();
    for (let i = 1; i <= 5; i++) {
      m.record(row(i));
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(50);
    expect(writes).toEqual([["r1", "r2", "r3", "r4", "r5"]]);
    m.record(row(6));
    await vi.advanceTimersByTimeAsync(100);
    expect(writes).toEqual([["r1", "r2", "r3", "r4", "r5"], ["r6"]]);
  });

  it("writes at once when 512 rows are held, and flush writes what is held", async () => {
    const m = meter();
    for (let i = 1; i <= 513; i++) m.record(row(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(writes.map((w) => w.length)).toEqual([512]);
    await m.flush();
    expect(writes.map((w) => w.length)).toEqual([512, 1]);
    await vi.advanceTimersByTimeAsync(200);
    expect(writes.map((w) => w.length)).toEqual([512, 1]);
  });

  it("counts every row of a failed write as lost and says so", async () => {
    const m = meter(async () => {
      throw new Error("db down");
    });
    m.record(row(1));
    m.record(row(2));
    await m.flush();
    const lost = await registry.getSingleMetric("stratus_usage_rows_lost_total")?.get();
    expect(lost?.values[0]?.value).toBe(2);
    expect(errors).toEqual(["usage rows not written"]);
  });
});
