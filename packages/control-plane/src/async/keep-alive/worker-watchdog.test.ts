import { EventEmitter } from "node:events";
import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { QueueWorker } from "../queue/async-queue.js";
import type { JobActivity } from "./worker-activity.js";
import { type StallOptions, watchWorker } from "./worker-watchdog.js";

/**
 * A queue worker for the watchdog: running until closed or stopped. A
 * `wedged` one (its connection hung) finishes closing only once disconnected.
 */
class FakeWorker extends EventEmitter implements QueueWorker {
  running = true;
  closes = 0;
  disconnects = 0;
  wedged = false;
  readonly concurrency = 2;
  private release: (() => void) | undefined;
  constructor(readonly activity: JobActivity) {
    super();
  }
  isRunning() {
    return this.running;
  }
  stop() {
    this.running = false;
    this.emit("error", new Error("run failed"));
  }
  async close() {
    this.closes++;
    if (this.wedged) await new Promise<void>((r) => (this.release = r));
    this.running = false;
    this.emit("closed");
  }
  async disconnect() {
    this.disconnects++;
    this.release?.();
  }
}

const INTERVAL = 1_000;
const STALL = 5_000;

function setUp(stall?: Partial<StallOptions>) {
  const workers: FakeWorker[] = [];
  const restarts = new Counter({ name: "restarts", help: "h", labelNames: ["reason"], registers: [new Registry()] });
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  let due = 0;
  const watchdog = watchWorker(
    (activity) => {
      const w = new FakeWorker(activity);
      workers.push(w);
      return w;
    },
    {
      intervalMs: INTERVAL,
      restarts,
      log,
      retireGraceMs: STALL,
      ...(stall ? { stall: { afterMs: STALL, dueJobs: async () => due, ...stall } } : {}),
    },
  );
  const count = async (reason?: string) =>
    (await restarts.get()).values
      .filter((v) => reason === undefined || v.labels.reason === reason)
      .reduce((sum, v) => sum + v.value, 0);
  const setDue = (n: number) => {
    due = n;
  };
  return { workers, watchdog, count, log, setDue };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("watchWorker: a worker that stops running", () => {
  it("replaces a worker that closes while not shutting down, says so and counts it", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, count, log } = setUp();
    await workers[0]?.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(workers).toHaveLength(2);
    expect(watchdog.current()).toBe(workers[1]);
    expect(await count("stopped")).toBe(1);
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
    expect(await count("stopped")).toBe(2);
    // The stopped ones were closed, so that they let go of their connections.
    expect(workers.slice(0, 2).map((w) => w.closes)).toEqual([1, 1]);
    await watchdog.close();
  });

  it("closes the worker on shutdown without replacing it", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, count } = setUp({});
    await watchdog.close();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(workers).toHaveLength(1);
    expect(workers[0]?.closes).toBe(1);
    expect(await count()).toBe(0);
  });
});

describe("watchWorker: a worker that runs but takes no work", () => {
  it("replaces it once jobs have been due for the stall time with a free slot and no job started", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, count, log, setDue } = setUp({});
    // Long idle: no verdict while nothing is due.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(workers).toHaveLength(1);
    setDue(3);
    // The first sight of due jobs starts the clock; a worker idle for a minute is not judged at once.
    await vi.advanceTimersByTimeAsync(STALL);
    expect(workers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(workers).toHaveLength(2);
    expect(watchdog.current()).toBe(workers[1]);
    expect(await count("stalled")).toBe(1);
    expect(log.error).toHaveBeenCalledWith(expect.stringMatching(/ALERT.*started no job/));
    expect(workers[0]?.closes).toBe(1);
    await watchdog.close();
  });

  it("leaves alone a worker that keeps starting jobs while a backlog waits", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, count, setDue } = setUp({});
    setDue(100);
    for (let i = 0; i < 30; i++) {
      const ended = workers[0]?.activity.started();
      await vi.advanceTimersByTimeAsync(INTERVAL);
      ended?.();
    }
    expect(workers).toHaveLength(1);
    expect(await count()).toBe(0);
    await watchdog.close();
  });

  it("leaves alone a worker busy at full concurrency for long, and judges it only from the slot it frees", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, count, setDue } = setUp({});
    setDue(100);
    const a = workers[0]?.activity.started();
    workers[0]?.activity.started();
    await vi.advanceTimersByTimeAsync(10 * STALL);
    expect(workers).toHaveLength(1);
    // A slot frees and the worker starts nothing: stalled a stall time later, not at once.
    a?.();
    await vi.advanceTimersByTimeAsync(STALL - INTERVAL);
    expect(workers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(workers).toHaveLength(2);
    expect(await count("stalled")).toBe(1);
    await watchdog.close();
  });

  it("judges nothing while the queue cannot be read, and starts over when it can", async () => {
    vi.useFakeTimers();
    let answer: () => Promise<number> = async () => 5;
    const { workers, watchdog, count, log } = setUp({ dueJobs: () => answer() });
    await vi.advanceTimersByTimeAsync(STALL - INTERVAL);
    // The queue stops answering (its connection hangs), then fails outright.
    answer = () => new Promise<number>(() => undefined);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    answer = async () => {
      throw new Error("Connection is closed.");
    };
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(workers).toHaveLength(1);
    // Said once for the whole outage, not once an interval.
    expect(log.warn).toHaveBeenCalledTimes(1);
    answer = async () => 5;
    await vi.advanceTimersByTimeAsync(STALL);
    expect(workers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(workers).toHaveLength(2);
    expect(await count("stalled")).toBe(1);
    await watchdog.close();
  });

  it("cuts off a replaced worker that has not let go a grace after its last job ended, so shutdown does not hang", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, setDue } = setUp({});
    const first = workers[0] as FakeWorker;
    first.wedged = true;
    // One job running, on a worker with two slots: it still has one free.
    const ended = first.activity.started();
    setDue(1);
    await vi.advanceTimersByTimeAsync(STALL + 2 * INTERVAL);
    expect(workers).toHaveLength(2);
    // Its job may run as long as it likes: the grace starts when it ends.
    await vi.advanceTimersByTimeAsync(10 * STALL);
    expect(first.disconnects).toBe(0);
    ended();
    await vi.advanceTimersByTimeAsync(STALL - INTERVAL);
    expect(first.disconnects).toBe(0);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(first.disconnects).toBe(1);
    expect(first.running).toBe(false);
    await watchdog.close();
    expect(workers[1]?.closes).toBe(1);
  });

  it("cuts off the last worker at shutdown too when it cannot let go", async () => {
    vi.useFakeTimers();
    const { workers, watchdog } = setUp({});
    (workers[0] as FakeWorker).wedged = true;
    let done = false;
    const closing = watchdog.close().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(STALL - INTERVAL);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await closing;
    expect(workers[0]?.disconnects).toBe(1);
    expect(workers).toHaveLength(1);
  });

  it("never judges a new worker by its predecessor's silence", async () => {
    vi.useFakeTimers();
    const { workers, watchdog, count, setDue } = setUp({});
    setDue(1);
    await vi.advanceTimersByTimeAsync(STALL + 2 * INTERVAL);
    expect(workers).toHaveLength(2);
    // Its own stall time counts from its start, not from the due jobs' first sight.
    await vi.advanceTimersByTimeAsync(STALL - INTERVAL);
    expect(workers).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(workers).toHaveLength(3);
    expect(await count("stalled")).toBe(2);
    await watchdog.close();
  });
});
