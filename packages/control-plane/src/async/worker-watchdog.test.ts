import { EventEmitter } from "node:events";
import type { Worker } from "bullmq";
import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { watchWorker } from "./worker-watchdog.js";

/** Enough of a BullMQ Worker for the watchdog: running until closed or stopped. */
class FakeWorker extends EventEmitter {
  running = true;
  closes = 0;
  isRunning() {
    return this.running;
  }
  stop() {
    this.running = false;
    this.emit("error", new Error("run failed"));
  }
  async close() {
    this.closes++;
    this.running = false;
    this.emit("closed");
  }
}

function setUp() {
  const workers: FakeWorker[] = [];
  const restarts = new Counter({ name: "restarts", help: "h", registers: [new Registry()] });
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const watchdog = watchWorker(
    () => {
      const w = new FakeWorker();
      workers.push(w);
      return w as unknown as Worker;
    },
    { intervalMs: 1_000, restarts, log },
  );
  const count = async () => (await restarts.get()).values[0]?.value ?? 0;
  return { workers, watchdog, count, log };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("watchWorker", () => {
  it("replaces a worker that closes while not shutting down, says so and counts it", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, count, log } = setUp();
    await workers[0]?.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(workers).toHaveLength(2);
    expect(watchdog.current()).toBe(workers[1]);
    expect(await count()).toBe(1);
    expect(log.error).toHaveBeenCalledWith(expect.stringContaining("ALERT"));
    await watchdog.close();
  });

  it("replaces a worker that stopped running, at most once an interval while new ones fail too", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, count } = setUp();
    workers[0]?.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(workers).toHaveLength(2);
    workers[1]?.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(workers).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(workers).toHaveLength(3);
    expect(await count()).toBe(2);
    // The stopped ones were closed, so that they let go of their connections.
    expect(workers.slice(0, 2).map((w) => w.closes)).toEqual([1, 1]);
    await watchdog.close();
  });

  it("closes the worker on shutdown without replacing it", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, count } = setUp();
    await watchdog.close();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(workers).toHaveLength(1);
    expect(workers[0]?.closes).toBe(1);
    expect(await count()).toBe(0);
  });
});
