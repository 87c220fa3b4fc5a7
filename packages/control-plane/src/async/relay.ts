// Moves committed outbox rows into the BullMQ queue, under the job id recorded with
// the invocation (its id when first accepted, a fresh one when re-driven; a duplicate
// add is a no-op). Rows are deleted only after the queue has them, in the transaction
// that locked them, so a crash at any point re-sends rather than loses. Runs on a
// short timer and at once when nudged after an accept.
import type { Queue } from "bullmq";
import type { Logger } from "../api/error-middleware.js";
import type { AsyncStore } from "../store/async-store.js";

const BATCH = 500;
const IDLE_MS = 200;
const ERROR_BACKOFF_MS = 1_000;

export const jobOptions = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export interface Relay {
  nudge(): void;
  stop(): Promise<void>;
}

export function startRelay(store: AsyncStore, queue: Queue, log: Logger): Relay {
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

  const loop = (async () => {
    while (!stopped) {
      nudged = false;
      try {
        const moved = await store.drainOutbox(BATCH, async (jobs) => {
          await queue.addBulk(
            jobs.map((job) => ({
              name: "invoke",
              data: { invocationId: job.invocationId },
              opts: { jobId: job.jobId, ...jobOptions },
            })),
          );
        });
        if (moved < BATCH) await sleep(IDLE_MS);
      } catch (err) {
        log.warn(`async relay: ${(err as Error).message}; retrying`);
        await sleep(ERROR_BACKOFF_MS);
      }
    }
  })();

  return {
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
