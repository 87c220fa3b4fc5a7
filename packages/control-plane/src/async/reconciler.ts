// Finds async work that nothing will run any more and enqueues it again: open
// (accepted or retrying) invocations that are overdue, have no outbox row, and whose
// recorded job is no longer waiting, delayed or active in Redis (Redis lost it, or it
// ended without running the attempt); and running attempts whose lease ran out (the
// worker died). A backlog still waiting in the queue is left alone. The new job id is
// recorded by a conditional update first, so a duplicate is harmless and a failed
// add is found again on the next pass.
import { randomUUID } from "node:crypto";
import type { Logger } from "@stratus/shared";
import { asyncQueue } from "@stratus/shared";
import type { Counter } from "prom-client";
import { allows } from "../store/async-state.js";
import type { AsyncStore } from "../store/async-store.js";
import { requeueMove } from "./async-decisions.js";
import type { AsyncQueue } from "./queue/async-queue.js";

export interface Reconciler {
  runOnce(): Promise<number>;
  stop(): void;
}

export function startReconciler(
  store: AsyncStore,
  queue: Pick<AsyncQueue, "add" | "isLive">,
  opts: { intervalMs: number; staleSeconds: number },
  requeued: Counter<"reason">,
  log: Pick<Logger, "warn">,
): Reconciler {
  async function runOnce(): Promise<number> {
    const stuck = await store.stuck(opts.staleSeconds, 500);
    // One Redis round trip per recorded job, all in flight together.
    const live = await Promise.all(
      stuck.map((s) => (allows(s.status, "requeue") && s.jobId !== null ? queue.isLive(s.jobId) : undefined)),
    );
    let count = 0;
    for (const [i, s] of stuck.entries()) {
      const move = requeueMove(s.status, live[i]);
      if (!move) continue;
      const jobId = asyncQueue.jobId(s.id, `r${randomUUID().slice(0, 8)}`);
      const moved =
        move.event === "expire_lease"
          ? await store.expireLease(s.id, s.attempt, jobId)
          : await store.requeue(s.id, s.jobId, jobId);
      if (!moved) continue;
      await queue.add({ invocationId: s.id, jobId });
      requeued.inc({ reason: move.reason });
      count++;
    }
    if (count > 0) log.warn(`async reconciler re-enqueued ${count} invocation(s)`);
    return count;
  }
  let busy = false;
  const timer = setInterval(() => {
    // A slow pass (Redis or Postgres away) is not overlapped by the next.
    if (busy) return;
    busy = true;
    runOnce()
      .catch((err: Error) => log.warn(`async reconciler: ${err.message}`))
      .finally(() => {
        busy = false;
      });
  }, opts.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
