// Moves committed outbox rows into the BullMQ queue, under the job id recorded with
// the invocation (its id when first accepted, a fresh one when re-driven; a duplicate
// add is a no-op, and a job the invocation no longer records starts nothing). Rows
// are deleted only after the queue has them, so a crash at any point re-sends rather
// than loses.
// A newly accepted event has no outbox row: the process that accepted it queues it
// right after its commit, and writes it an outbox row only if the queue refuses it.
// Should that process die in between, the reconciler finds the event once overdue.
// Everything else (re-drives, destination deliveries, events written by schedules,
// buckets and workflows) goes through the relay, which runs on a short timer and at
// once when nudged.

import type { Logger } from "@stratus/shared";
import type { AsyncStore, QueuedJob } from "../store/async-store.js";
import { createBatcher } from "../store/batcher.js";
import type { AsyncQueue } from "./queue/async-queue.js";
import { markStage } from "./stage-marks.js";

const BATCH = 500;
const IDLE_MS = 200;
const ERROR_BACKOFF_MS = 1_000;

export interface Relay {
  /** Queues a just-accepted event now; on failure it gets an outbox row for the relay. */
  publish(job: QueuedJob): void;
  nudge(): void;
  stop(): Promise<void>;
}

export function startRelay(store: AsyncStore, queue: Pick<AsyncQueue, "addMany">, log: Logger): Relay {
  let stopped = false;
  let wake: (() => void) | undefined;
  let nudged = false;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
      if (nudged) done();
    });

  const toQueue = (jobs: QueuedJob[]) => queue.addMany(jobs);

  /** Accepted events the queue refused: outbox rows for the relay, or if even that fails, the reconciler's. */
  async function leave(jobs: QueuedJob[], why: Error): Promise<void> {
    const ids = jobs.map((j) => j.invocationId);
    try {
      await store.leaveToRelay(ids);
      log.warn(`async relay: accepted event(s) ${ids.join(", ")} not queued (${why.message}); the relay sends them`);
    } catch (err) {
      log.warn(
        `async relay: accepted event(s) ${ids.join(", ")} neither queued (${why.message}) nor left to the relay (${(err as Error).message}); the reconciler finds them once overdue`,
      );
    }
  }

  // Events accepted while an add is in flight go out together in the next one.
  const publishBatch = createBatcher(async (jobs: QueuedJob[]) => {
    try {
      await toQueue(jobs);
      for (const job of jobs) markStage("queued", job.invocationId);
    } catch (err) {
      await leave(jobs, err as Error);
    }
    return jobs.map(() => undefined);
  }, BATCH);

  const loop = (async () => {
    while (!stopped) {
      nudged = false;
      try {
        const moved = await store.drainOutbox(BATCH, async (jobs) => {
          await toQueue(jobs);
        });
        if (moved < BATCH) await sleep(IDLE_MS);
      } catch (err) {
        log.warn(`async relay: ${(err as Error).message}; retrying`);
        await sleep(ERROR_BACKOFF_MS);
      }
    }
  })();

  return {
    publish(job) {
      void publishBatch(job);
    },
    nudge() {
      nudged = true;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
