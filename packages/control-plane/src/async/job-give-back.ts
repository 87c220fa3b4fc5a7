// A job whose run failed or overran its deadline goes back to the queue, due again
// after a backoff; its next run takes over the attempt it gave up, whatever state that
// was left in, which makes that attempt stale. If even the move back fails, the job
// fails with the run's error, and the reconciler finds its invocation.
import type { Logger } from "@stratus/shared";
import type { Counter } from "prom-client";
import type { Backoff } from "./async-decisions.js";
import { JobOverdueError, startDeadline } from "./job-deadline.js";
import type { JobEnd, QueueJob } from "./queue/async-queue.js";
import { backoffMs } from "./retry-policy.js";

export interface GiveBackOptions extends Backoff {
  /** How long the move back may take. */
  stepMs: number;
  log: Logger;
  /** Counts the jobs given back, by reason: deadline or error. */
  givenUp?: Counter<"reason">;
}

/** Puts `job`, whose run ended with `err`, back in the queue: its run then ends delayed. */
export async function giveBack(
  job: QueueJob,
  err: unknown,
  { backoffBaseMs, backoffCapMs, stepMs, log, givenUp }: GiveBackOptions,
): Promise<JobEnd> {
  const delayMs = backoffMs(job.attemptsStarted, backoffBaseMs, backoffCapMs, Math.random());
  const overdue = err instanceof JobOverdueError;
  givenUp?.inc({ reason: overdue ? "deadline" : "error" });
  const why = overdue ? `${err.message} (stuck)` : `it failed: ${(err as Error).message}`;
  log.warn(`async job ${job.id}: ${why}; running it again in ${delayMs} ms`);
  const limit = startDeadline(stepMs);
  try {
    await Promise.race([job.moveToDelayed(Date.now() + delayMs), limit.passed]);
  } catch {
    throw err;
  } finally {
    limit.clear();
  }
  return { kind: "delayed" };
}
