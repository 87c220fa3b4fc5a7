// Finds async work that nothing will run any more: accepted or retrying invocations
// that are overdue and have no outbox row (their job was lost, e.g. Redis lost data),
// and running attempts whose lease ran out (the worker died). Re-enqueues them; the
// conditional start makes a duplicate harmless.
import { randomUUID } from "node:crypto";
import { asyncQueue } from "@stratus/shared";
import type { Queue } from "bullmq";
import type { Logger } from "../api/error-middleware.js";
import type { AsyncStore } from "../store/async-store.js";
import { jobOptions } from "./relay.js";

export interface Reconciler {
  runOnce(): Promise<number>;
  stop(): void;
}

export function startReconciler(
  store: AsyncStore,
  queue: Queue,
  opts: { intervalMs: number; staleSeconds: number },
  log: Logger,
): Reconciler {
  async function runOnce(): Promise<number> {
    const stuck = await store.stuck(opts.staleSeconds, 500);
    let requeued = 0;
    for (const s of stuck) {
      if (s.status === "running" && !(await store.expireLease(s.id, s.attempt))) continue;
      await queue.add(
        "invoke",
        { invocationId: s.id },
        { jobId: asyncQueue.jobId(s.id, `r${randomUUID().slice(0, 8)}`), ...jobOptions },
      );
      requeued++;
    }
    if (requeued > 0) log.warn(`async reconciler re-enqueued ${requeued} invocation(s)`);
    return requeued;
  }
  const timer = setInterval(() => {
    runOnce().catch((err: Error) => log.warn(`async reconciler: ${err.message}`));
  }, opts.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
