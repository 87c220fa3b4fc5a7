// Moves committed outbox rows into the BullMQ queue, under the job id recorded with
// the invocation (its id when first accepted, a fresh one when re-driven; a duplicate
// add is a no-op, and a job that finds its invocation finished does nothing). Rows
// are deleted only after the queue has them, so a crash at any point re-sends rather
// than loses.
// A newly accepted event is published by the process that accepted it, right after
// its commit (no wait for the relay's next pass); its outbox row is deleted after
// the add and is left to the relay for a grace period. Everything else (re-drives,
// destination deliveries, rows of a process that crashed or could not reach Redis)
// goes through the relay, which runs on a short timer and at once when nudged.

import type { Logger } from "@stratus/shared";
import type { AcceptedJob, AsyncStore, QueuedJob } from "../store/async-store.js";
import { createBatcher } from "../store/batcher.js";
import type { AsyncQueue } from "./queue/async-queue.js";
import { markStage } from "./stage-marks.js";

const BATCH = 500;
const IDLE_MS = 200;
const ERROR_BACKOFF_MS = 1_000;

export interface Relay {
  /** Queues a just-accepted event now; on failure its outbox row stays for the relay. */
  publish(job: AcceptedJob): void;
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

  // A published event's outbox row is deleted in a batch of its own, off the publishing
  // path: the next events go to the queue without waiting for the last ones' delete to
  // commit. A delete that fails leaves its rows to the relay, whose add is then a no-op.
  const forget = createBatcher(async (outboxIds: string[]) => {
    try {
      await store.forgetPublished(outboxIds);
    } catch (err) {
      log.warn(
        `async relay: ${outboxIds.length} published outbox row(s) not deleted (${(err as Error).message}); the relay sends them again`,
      );
    }
    return outboxIds.map(() => undefined);
  }, BATCH);

  // Events accepted while an add is in flight go out together in the next one.
  const publishBatch = createBatcher(async (jobs: AcceptedJob[]) => {
    await toQueue(jobs);
    for (const job of jobs) {
      markStage("queued", job.invocationId);
      void forget(job.outboxId);
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
      publishBatch(job).catch((err: Error) =>
        log.warn(
          `async relay: publishing accepted event ${job.invocationId} failed (${err.message}); the relay sends it`,
          { requestId: job.invocationId },
        ),
      );
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
