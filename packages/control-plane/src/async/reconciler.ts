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
import type { Queue } from "bullmq";
import type { Counter } from "prom-client";
import type { AsyncStore } from "../store/async-store.js";
import type { AsyncStatus } from "./async-state.js";
import { jobOptions } from "./relay.js";

export type RequeueReason = "lost_job" | "lease_expired";

/** BullMQ job states in which the job will still run (or is running) its invocation. */
const LIVE_JOB_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

/** Why a stuck invocation needs a new job; undefined while its recorded job is live. */
export function requeueReason(status: AsyncStatus, jobState: string | undefined): RequeueReason | undefined {
  if (status === "running") return "lease_expired";
  if (status !== "accepted" && status !== "retrying") return undefined;
  return jobState !== undefined && LIVE_JOB_STATES.has(jobState) ? undefined : "lost_job";
}

export interface Reconciler {
  runOnce(): Promise<number>;
  stop(): void;
}

export function startReconciler(
  store: AsyncStore,
  queue: Pick<Queue, "add" | "getJobState">,
  opts: { intervalMs: number; staleSeconds: number },
  requeued: Counter<"reason">,
  log: Pick<Logger, "warn">,
): Reconciler {
  async function runOnce(): Promise<number> {
    const stuck = await store.stuck(opts.staleSeconds, 500);
    // One Redis round trip per recorded job, all in flight together.
    const states = await Promise.all(
      stuck.map((s) => (s.status !== "running" && s.jobId !== null ? queue.getJobState(s.jobId) : undefined)),
    );
    let count = 0;
    for (const [i, s] of stuck.entries()) {
      const reason = requeueReason(s.status, states[i]);
      if (!reason) continue;
      const jobId = asyncQueue.jobId(s.id, `r${randomUUID().slice(0, 8)}`);
      const moved =
        reason === "lease_expired"
          ? await store.expireLease(s.id, s.attempt, jobId)
          : await store.requeue(s.id, s.jobId, jobId);
      if (!moved) continue;
      await queue.add("invoke", { invocationId: s.id }, { jobId, ...jobOptions });
      requeued.inc({ reason });
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
