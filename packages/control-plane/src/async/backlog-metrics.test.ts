import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { AsyncStore } from "../store/async-store.js";
import type { BoundedDb } from "../store/pg-helpers.js";
import { countingEndings, registerAsyncBacklogMetrics } from "./backlog-metrics.js";

const INFO = "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:4194304\r\n";

function fakeDb(fail: boolean): BoundedDb & { queries: number } {
  const db = {
    queries: 0,
    async query(text: string) {
      db.queries++;
      if (fail) throw new Error("statement timed out");
      if (text.includes("async_outbox")) return { rows: [{ n: 2 }] };
      return {
        rows: [
          { status: "accepted", n: 3, oldest: 42.5 },
          { status: "retrying", n: 1, oldest: 7 },
        ],
      };
    },
  };
  return db as unknown as BoundedDb & { queries: number };
}

async function scrape(registry: Registry): Promise<string> {
  return registry.metrics();
}

describe("async backlog metrics", () => {
  it("reads the backlog once per scrape and reports it by status", async () => {
    const registry = new Registry();
    const db = fakeDb(false);
    registerAsyncBacklogMetrics(registry, db, { info: async () => INFO }, { warn: () => undefined });
    const text = await scrape(registry);
    expect(text).toContain('stratus_async_open_invocations{status="accepted"} 3');
    expect(text).toContain('stratus_async_open_invocations{status="running"} 0');
    expect(text).toContain('stratus_async_open_invocations{status="retrying"} 1');
    expect(text).toContain("stratus_async_oldest_open_seconds 42.5");
    expect(text).toContain("stratus_async_outbox_rows 2");
    expect(text).toContain("stratus_redis_memory_used_bytes 1048576");
    expect(text).toContain("stratus_redis_maxmemory_bytes 4194304");
    // Three gauges share one read: the open-invocations query and the outbox count.
    expect(db.queries).toBe(2);
  });

  it("says NaN (Nan in the text format; no samples for the labelled gauge) and counts the error when a read fails, never a stale number", async () => {
    const registry = new Registry();
    const warnings: string[] = [];
    registerAsyncBacklogMetrics(
      registry,
      fakeDb(true),
      {
        info: async () => {
          throw new Error("Command timed out");
        },
      },
      { warn: (m) => warnings.push(m) },
    );
    const text = await scrape(registry);
    expect(text).not.toMatch(/^stratus_async_open_invocations/m);
    expect(text).toContain("stratus_async_outbox_rows Nan");
    expect(text).toContain("stratus_async_oldest_open_seconds Nan");
    expect(text).toContain("stratus_redis_memory_used_bytes Nan");
    // Counted as the reads fail, while the scrape runs: the next scrape (within a
    // second, so it reuses the failed reads) shows them, once.
    const next = await scrape(registry);
    expect(next).toContain('stratus_metrics_read_errors_total{source="postgres"} 1');
    expect(next).toContain('stratus_metrics_read_errors_total{source="redis"} 1');
    expect(warnings.sort()).toEqual([
      "metrics: could not read from postgres: statement timed out",
      "metrics: could not read from redis: Command timed out",
    ]);
  });
});

describe("countingEndings", () => {
  it("counts a move to an end status that took effect, and nothing else", async () => {
    const moves: boolean[] = [true, false, true, true];
    const store = { finish: async () => moves.shift() ?? false } as unknown as AsyncStore;
    const registry = new Registry();
    const counted = countingEndings(store, registry);
    expect(await counted.finish("a", 1, "dead_letter", {})).toBe(true);
    expect(await counted.finish("b", 1, "succeed", {})).toBe(false); // stale: nothing moved
    expect(await counted.finish("c", 1, "retry", {})).toBe(true); // not an end
    expect(await counted.finish("d", 1, "succeed", {})).toBe(true);
    const text = await registry.metrics();
    expect(text).toContain('stratus_async_events_ended_total{status="succeeded"} 1');
    expect(text).toContain('stratus_async_events_ended_total{status="dead_lettered"} 1');
    expect(text).toContain('stratus_async_events_ended_total{status="failed"} 0');
    expect(text).not.toContain('status="retrying"');
  });
});
