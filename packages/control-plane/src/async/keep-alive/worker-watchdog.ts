// Keeps an async queue worker running and taking work. A BullMQ Worker can stop for
// good while the process carries on (BullMQ #648, #2964): its run ends if it fails
// to start (Redis away when it starts its stalled-job checker), and nothing restarts
// a worker that was closed or paused. It can also keep running and fetch nothing,
// its Redis connection hung (worker-stall.ts). Async events would then wait in the
// queue until the event age runs out. The watchdog looks when the worker closes or
// reports an error, and every interval besides; a worker no longer running, or
// stalled, while the control plane is not shutting down is replaced by a new one
// (with connections of its own), loudly logged and counted by reason.
//
// A replaced worker, and the last one at shutdown, is closed: it finishes the jobs
// it runs. One whose connection hangs would never finish closing, so once its jobs
// have ended it gets a grace to let go, and is then disconnected.

import type { Logger } from "@stratus/shared";
import type { Counter } from "prom-client";
import type { QueueWorker } from "../queue/async-queue.js";
import { type ActivityRecord, createActivityRecord, type JobActivity } from "./worker-activity.js";
import { judgeStall } from "./worker-stall.js";

export interface WorkerWatchdog {
  /** The worker now running (a new one after each replacement). */
  current(): QueueWorker;
  /** Stops watching, then closes the worker and any replaced one still finishing its jobs. */
  close(): Promise<void>;
}

export interface StallOptions {
  /** How long due jobs may wait while the worker has a free slot and starts none. */
  afterMs: number;
  /** Jobs a worker could take now (the queue's dueJobs). */
  dueJobs(now: number): Promise<number>;
}

export interface WatchdogOptions {
  intervalMs: number;
  /** Counts replaced workers, by reason: stopped (no longer running) or stalled. */
  restarts: Counter<"reason">;
  log: Pick<Logger, "warn" | "error">;
  /** Also replace a worker that runs but takes no work (off when absent). */
  stall?: StallOptions;
  /** How long a closing worker whose jobs have all ended may take to let go before it is disconnected. */
  retireGraceMs: number;
}

type Reason = "stopped" | "stalled";

interface Watched {
  worker: QueueWorker;
  record: ActivityRecord;
}

export function watchWorker(
  start: (activity: JobActivity) => QueueWorker,
  { intervalMs, restarts, log, stall, retireGraceMs }: WatchdogOptions,
): WorkerWatchdog {
  let stopping = false;
  let watched: Watched;
  let replacedAt = Number.NEGATIVE_INFINITY;
  /** Since when every stall probe has seen due jobs and a free slot. */
  let dueSince: number | undefined;
  let probing = false;
  /** The last probe could not read the queue (said once, not every interval of an outage). */
  let unreadable = false;
  /** Workers closing (they finish the jobs they run). */
  const retiring = new Set<Promise<void>>();

  const retire = ({ worker, record }: Watched) => {
    let closed = false;
    let cut: NodeJS.Timeout | undefined;
    const closing: Promise<void> = worker
      .close()
      .catch((err: Error) => log.warn(`async worker: closing a worker failed: ${err.message}`))
      .finally(() => {
        closed = true;
        clearTimeout(cut);
        retiring.delete(closing);
      });
    retiring.add(closing);
    void record.idle().then(() => {
      if (closed) return;
      cut = setTimeout(() => {
        log.warn(
          `async worker: a closing worker had not let go ${retireGraceMs} ms after its last job; disconnecting it`,
        );
        worker.disconnect().catch(() => undefined);
      }, retireGraceMs);
      cut.unref();
    });
  };

  const launch = () => {
    const record = createActivityRecord();
    const worker = start(record.activity);
    watched = { worker, record };
    dueSince = undefined;
    // BullMQ sets its state before it emits these: look once the emit is done.
    worker.on("closed", () => setImmediate(check));
    worker.on("error", () => setImmediate(check));
  };

  const replace = (reason: Reason, why: string) => {
    replacedAt = Date.now();
    log.error(`ALERT: replacing the async queue worker, though the control plane is not shutting down: ${why}`);
    restarts.inc({ reason });
    const old = watched;
    launch();
    retire(old);
  };

  const check = () => {
    if (stopping || watched.worker.isRunning()) return;
    // A worker that cannot start (Redis away) fails again at once: one new worker an interval.
    if (Date.now() - replacedAt < intervalMs) return;
    replace("stopped", "it stopped running");
  };

  const probeStall = async () => {
    if (!stall || stopping || probing || !watched.worker.isRunning()) return;
    probing = true;
    const probed = watched;
    let timer: NodeJS.Timeout | undefined;
    try {
      // A probe that hangs (the queue's own connection cut off) judges nothing.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no answer")), intervalMs);
      });
      const due = await Promise.race([stall.dueJobs(Date.now()), timeout]);
      unreadable = false;
      if (stopping || watched !== probed) return;
      const verdict = judgeStall(
        dueSince,
        {
          now: Date.now(),
          due,
          busy: probed.record.busy(),
          concurrency: probed.worker.concurrency,
          lastActivityAt: probed.record.lastActivityAt(),
        },
        stall.afterMs,
      );
      dueSince = verdict.since;
      if (verdict.stalled) {
        replace(
          "stalled",
          `it started no job for ${stall.afterMs} ms while ${due} job(s) were due and it had a free slot`,
        );
      }
    } catch (err) {
      // The queue cannot be read: whether work is due is unknown, so the run starts over.
      dueSince = undefined;
      if (!unreadable) log.warn(`async worker watchdog: could not read the queue: ${(err as Error).message}`);
      unreadable = true;
    } finally {
      clearTimeout(timer);
      probing = false;
    }
  };

  launch();
  const timer = setInterval(() => {
    check();
    void probeStall();
  }, intervalMs);
  timer.unref();
  for (const reason of ["stopped", "stalled"] satisfies Reason[]) restarts.inc({ reason }, 0);

  return {
    current: () => watched.worker,
    async close() {
      stopping = true;
      clearInterval(timer);
      retire(watched);
      await Promise.all(retiring);
    },
  };
}
