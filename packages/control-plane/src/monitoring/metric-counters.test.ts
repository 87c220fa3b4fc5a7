import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { CounterRow } from "../store/metric-counter-store.js";
import { createMetricCounters, type Observation } from "./metric-counters.js";

const quiet = { warn: () => undefined };
const at = Date.UTC(2026, 11, 5, 12, 0, 30);
const seen = (accountId: string, metric: Observation["metric"], value?: number): Observation => ({
  accountId,
  functionName: "fn",
  metric,
  ...(value !== undefined ? { value } : {}),
});

/** Counters at `cadence` whose writes are kept in `writes` (or fail while `fail()` says so). */
function collecting(cadence: { flushMs: number; batch: number }, registry = new Registry(), fail = () => false) {
  const writes: CounterRow[][] = [];
  const counters = createMetricCounters(
    async (rows) => {
      if (fail()) throw new Error("Postgres is down");
      writes.push(rows);
    },
    quiet,
    registry,
    () => at,
    cadence,
  );
  return { counters, writes };
}

describe("createMetricCounters", () => {
  it("writes nothing until its timer, then one row per series and minute", async () => {
    const { counters, writes } = collecting({ flushMs: 3_600_000, batch: 100 });
    counters.record(seen("a", "AsyncEventAge", 10));
    counters.record(seen("a", "AsyncEventAge", 30));
    counters.record(seen("a", "Throttles"));
    await new Promise((r) => setTimeout(r, 20));
    expect(writes).toEqual([]);
    await counters.close();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toEqual([
      {
        accountId: "a",
        functionName: "fn",
        resource: "",
        metric: "AsyncEventAge",
        minute: at - 30_000,
        sum: 40,
        count: 2,
        min: 10,
        max: 30,
      },
      {
        accountId: "a",
        functionName: "fn",
        resource: "",
        metric: "Throttles",
        minute: at - 30_000,
        sum: 1,
        count: 1,
        min: 1,
        max: 1,
      },
    ]);
  });

  it("writes a full batch at once, without waiting for the timer", async () => {
    const { counters, writes } = collecting({ flushMs: 3_600_000, batch: 3 });
    for (const account of ["a", "b", "c"]) counters.record(seen(account, "Throttles"));
    await new Promise((r) => setTimeout(r, 20));
    expect(writes.map((w) => w.map((r) => r.accountId))).toEqual([["a", "b", "c"]]);
    counters.record(seen("d", "Throttles"));
    await new Promise((r) => setTimeout(r, 20));
    expect(writes).toHaveLength(1);
    await counters.close();
    expect(writes.map((w) => w.map((r) => r.accountId))).toEqual([["a", "b", "c"], ["d"]]);
  });

  it("goes out on its timer", async () => {
    const { counters, writes } = collecting({ flushMs: 20, batch: 100 });
    counters.record(seen("a", "Throttles"));
    await new Promise((r) => setTimeout(r, 100));
    expect(writes).toHaveLength(1);
    await counters.close();
  });

  it("counts a failed write's observations as dropped and keeps writing later ones", async () => {
    const registry = new Registry();
    let fail = true;
    const { counters, writes } = collecting({ flushMs: 3_600_000, batch: 2 }, registry, () => fail);
    counters.record(seen("a", "Throttles"));
    counters.record(seen("b", "Throttles"));
    await new Promise((r) => setTimeout(r, 20));
    fail = false;
    counters.record(seen("c", "Throttles"));
    await counters.close();
    expect(writes.map((w) => w.map((r) => r.accountId))).toEqual([["c"]]);
    const dropped = await registry.getSingleMetric("stratus_metric_counters_dropped_total")?.get();
    expect(dropped?.values[0]?.value).toBe(2);
  });
});
