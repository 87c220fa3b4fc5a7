// Keeps an async queue worker running. A BullMQ Worker can stop for good while the
// process carries on (BullMQ #648, #2964): its run ends if it fails to start (Redis
// away when it starts its stalled-job checker), and nothing restarts a worker that
// was closed or paused. Async events would then wait in the queue until the event
// age runs out. The watchdog looks when the worker closes or reports an error, and
// every interval besides; a worker no longer running while the control plane is not
// shutting down is replaced by a new one, loudly logged and counted.
import type { Worker } from "bullmq";
import type { Counter } from "prom-client";
import type { Logger } from "../api/error-middleware.js";

export interface WorkerWatchdog {
  /** The worker now running (a new one after each replacement). */
  current(): Worker;
  /** Stops watching, then closes the worker and any replaced one still finishing its jobs. */
  close(): Promise<void>;
}

export interface WatchdogOptions {
  intervalMs: number;
  /** Counts replaced workers. */
  restarts: Counter;
  log: Logger;
}

export function watchWorker(start: () => Worker, { intervalMs, restarts, log }: WatchdogOptions): WorkerWatchdog {
  let stopping = false;
  let worker: Worker;
  let replacedAt = Number.NEGATIVE_INFINITY;
  /** Replaced workers still closing (they finish the jobs they hold). */
  const retiring = new Set<Promise<void>>();

  const check = () => {
    if (stopping || worker.isRunning()) return;
    // A worker that cannot start (Redis away) fails again at once: one new worker an interval.
    if (Date.now() - replacedAt < intervalMs) return;
    replacedAt = Date.now();
    const stopped = worker;
    log.error(
      "ALERT: the async queue worker stopped running while the control plane is not shutting down; starting a new one",
    );
    restarts.inc();
    const closing: Promise<void> = stopped
      .close()
      .catch((err: Error) => log.warn(`async worker: closing the stopped worker failed: ${err.message}`))
      .finally(() => retiring.delete(closing));
    retiring.add(closing);
    launch();
  };

  const launch = () => {
    const w = start();
    worker = w;
    // BullMQ sets its state before it emits these: look once the emit is done.
    w.on("closed", () => setImmediate(check));
    w.on("error", () => setImmediate(check));
  };

  launch();
  const timer = setInterval(check, intervalMs);
  timer.unref();

  return {
    current: () => worker,
    async close() {
      stopping = true;
      clearInterval(timer);
      await worker.close();
      await Promise.all(retiring);
    },
  };
}
