// Runs one async job (worker.ts feeds it the queue's jobs). The job starts an
// attempt with a conditional update (a duplicate or stale job finds nothing to
// start), runs it through the same placement and invokers as sync invokes (so warm
// containers are shared), and records the outcome conditionally on that attempt:
// success (and the on-success destination), a retry after backoff (a new delayed
// job), or the end (on-failure destination, or the dead-letter record). Destination
// deliveries are new async invocations committed with the outcome, in one transaction.
// Every attempt (the first, retries, a takeover after a stall) runs under the
// invocation's id as its request id, the one its caller got with the 202: as in
// Lambda, the function sees one context.awsRequestId and its logs share that id.
// Starting an attempt counts it as spent and as an invoke; its end gives back what
// it did not use (retry-policy.ts attemptRefunds), so that destination records carry
// the invokes that may have run the function, not the attempts spent.
// A job is bounded (job-deadline.ts): one that fails, or runs past its deadline (a
// step stuck on a connection that stopped answering), is put back in the queue after
// a backoff and runs again as a takeover, which makes the attempt it gave up stale.
// One that fails in a way no rerun can change (job-failure.ts) is not run again: its
// event is dead-lettered at once, and a job whose data names no invocation fails.
import { randomUUID } from "node:crypto";
import type { Logger } from "@stratus/shared";
import { AsyncJobSchema, asyncQueue, StratusError } from "@stratus/shared";
import { DelayedError, type Job, type Queue, UnrecoverableError } from "bullmq";
import type { Counter } from "prom-client";
import type { InvokeResult, InvokeService } from "../services/invoke-service.js";
import type { AsyncInvocation, AsyncStore } from "../store/async-store.js";
import { type DeliveryCondition, destinationDelivery } from "./destination.js";
import { type JobDeadline, JobOverdueError, startDeadline } from "./job-deadline.js";
import { malformedJobMessage, processingError, unrecoverable } from "./job-failure.js";
import type { JobActivity } from "./keep-alive/worker-activity.js";
import { jobOptions } from "./relay.js";
import {
  type AttemptEnd,
  type AttemptOutcome,
  attemptRefunds,
  backoffMs,
  decide,
  thrownOutcome,
} from "./retry-policy.js";

export interface JobRunnerConfig {
  backoffBaseMs: number;
  backoffCapMs: number;
  region: string;
  /**
   * How long one step of a job (a Postgres statement, a Redis command) may take; the
   * call to a node may take the time the node has to answer on top.
   */
  stepMs: number;
}

export interface JobWatch {
  /** Told of each job as it starts and ends (the watchdog's view). */
  activity?: JobActivity;
  /**
   * Counts the jobs given up, by reason: deadline or error (put back in the queue to
   * run again), or unrecoverable (not run again: its event is dead-lettered).
   */
  givenUp?: Counter<"reason">;
}

/** The parts of a BullMQ job a run uses. */
export type RunnableJob = Pick<Job, "id" | "data" | "stalledCounter" | "attemptsStarted" | "moveToDelayed">;

/** Longest a function may run (900 s) plus slack: a lease older than this is abandoned. */
const LEASE_SECONDS = 960;

/** A BullMQ processor: runs `job`, holding its lock with `token`. */
export function createJobRunner(
  store: AsyncStore,
  queue: Pick<Queue, "add">,
  invoke: InvokeService,
  config: JobRunnerConfig,
  log: Logger,
  watch: JobWatch = {},
): (job: RunnableJob, token?: string) => Promise<void> {
  const { activity, givenUp } = watch;
  const delivery = (
    inv: AsyncInvocation,
    target: string | undefined,
    condition: DeliveryCondition,
    result: InvokeResult | undefined,
    invokeCount: number,
  ) => destinationDelivery(inv, target, condition, result, invokeCount, config.region);

  /** What the attempt gives back of its counts, and the event's invokes with this attempt's. */
  function counted(inv: AsyncInvocation, attemptEnd: AttemptEnd, reachedNode: boolean) {
    const refunds = attemptRefunds(attemptEnd, reachedNode);
    return { refunds, invokeCount: inv.invokeCount - (refunds.refundInvoke ? 1 : 0) };
  }

  async function end(
    inv: AsyncInvocation,
    condition: "RetriesExhausted" | "EventAgeExceeded",
    result: InvokeResult | undefined,
    error: unknown,
    attemptEnd: AttemptEnd,
    reachedNode: boolean,
  ) {
    const { refunds, invokeCount } = counted(inv, attemptEnd, reachedNode);
    const followUp = delivery(inv, inv.onFailure, condition, result, invokeCount);
    const event = condition === "EventAgeExceeded" ? "expire" : followUp ? "fail" : "dead_letter";
    const fields = { error, ...refunds, ...(result ? { executedVersion: result.executedVersion } : {}) };
    await store.finish(inv.id, inv.attempt, event, followUp ? { ...fields, followUp } : fields);
  }

  /** `deadline` starts with the job; each step moves it on as it begins. */
  async function run(job: RunnableJob, invocationId: string, deadline: JobDeadline): Promise<void> {
    const step = <T>(begin: () => Promise<T>): Promise<T> => {
      deadline.allow(config.stepMs);
      return begin();
    };
    // Re-run after a stall (the worker that had this job lost it: crashed or cut off),
    // or after this worker gave it up (run again: job.attemptsStarted counts it).
    const stalled = job.stalledCounter > 0 || job.attemptsStarted > 1;
    const inv = await step(() => store.start(invocationId, LEASE_SECONDS, stalled ? job.id : undefined));
    if (!inv) return; // finished, running elsewhere, or not known: nothing to do
    try {
      await attempt(inv, deadline, step);
    } catch (err) {
      if (!unrecoverable(err)) throw err;
      // Run again, the job would fail the same way, running the function again first
      // each time: the event ends here (no destination: building or recording its
      // delivery may be what failed).
      givenUp?.inc({ reason: "unrecoverable" });
      log.error(`async job ${job.id}: event ${inv.id} dead-lettered, no retry can process it`, err);
      await step(() => store.finish(inv.id, inv.attempt, "dead_letter", { error: processingError(err) }));
    }
  }

  /** Runs the started attempt `inv` and records how it ended. */
  async function attempt(
    inv: AsyncInvocation,
    deadline: JobDeadline,
    step: <T>(begin: () => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const ageMs = Date.now() - inv.acceptedAt.getTime();
    if (ageMs > inv.maxEventAgeSeconds * 1000) {
      const error = { errorType: "EventAgeExceeded", errorMessage: "Event too old" };
      return step(() => end(inv, "EventAgeExceeded", undefined, error, "not_run", false));
    }
    let result: InvokeResult | undefined;
    let outcome: AttemptOutcome;
    let error: unknown;
    let reachedNode = false;
    try {
      result = await step(() =>
        invoke.invokeSync({
          accountId: inv.accountId,
          functionName: inv.functionName,
          qualifier: inv.qualifier,
          payload: inv.payload,
          requestId: inv.id,
          // A job given up sends nothing more: its next run does.
          signal: deadline.signal,
          dispatch: {
            // The node's time to answer, and a step's to take it in.
            sending: (answerWithinMs) => deadline.allow(answerWithinMs + config.stepMs),
            taken: () => {
              reachedNode = true;
            },
          },
        }),
      );
      outcome = result.functionError ? "function_error" : "success";
      if (result.functionError) error = parsed(result.payload);
    } catch (err) {
      const e = err instanceof StratusError ? err : undefined;
      error = { errorType: e?.code ?? "ServiceException", errorMessage: (err as Error).message };
      const thrown = thrownOutcome(err);
      // The function or its version is gone: no retry can succeed.
      if (thrown === "gone") return step(() => end(inv, "RetriesExhausted", undefined, error, "not_run", reachedNode));
      outcome = thrown;
    }
    const decision = decide({
      outcome,
      attempt: inv.attempt,
      maxAttempts: inv.maxAttempts,
      ageMs,
      maxAgeMs: inv.maxEventAgeSeconds * 1000,
      backoffBaseMs: config.backoffBaseMs,
      backoffCapMs: config.backoffCapMs,
      random: Math.random(),
    });
    if (decision.action === "succeed") {
      const { refunds, invokeCount } = counted(inv, outcome, reachedNode);
      const followUp = delivery(inv, inv.onSuccess, "Success", result, invokeCount);
      const fields = { executedVersion: result?.executedVersion, ...refunds };
      await step(() => store.finish(inv.id, inv.attempt, "succeed", followUp ? { ...fields, followUp } : fields));
      return;
    }
    if (decision.action === "fail")
      return step(() => end(inv, decision.condition, result, error, outcome, reachedNode));
    const jobId = asyncQueue.jobId(inv.id, `a${inv.attempt}-${randomUUID().slice(0, 8)}`);
    const moved = await step(() =>
      store.finish(inv.id, inv.attempt, "retry", {
        error,
        ...counted(inv, outcome, reachedNode).refunds,
        retryAfterMs: decision.delayMs,
        jobId,
      }),
    );
    if (moved) {
      // If this add is lost, the reconciler finds the recorded job missing once the retry is overdue.
      await step(() =>
        queue.add("invoke", { invocationId: inv.id }, { jobId, delay: decision.delayMs, ...jobOptions }),
      );
    }
  }

  /**
   * Puts a job whose run failed or overran back in the queue after a backoff (it then
   * takes over the attempt it gave up, whatever state that was left in). If even that
   * fails, the job fails with `err`, and the reconciler finds its invocation.
   */
  async function giveBack(job: RunnableJob, token: string | undefined, err: unknown): Promise<never> {
    const delayMs = backoffMs(job.attemptsStarted, config.backoffBaseMs, config.backoffCapMs, Math.random());
    const overdue = err instanceof JobOverdueError;
    givenUp?.inc({ reason: overdue ? "deadline" : "error" });
    const why = overdue ? `${err.message} (stuck)` : `it failed: ${(err as Error).message}`;
    log.warn(`async job ${job.id}: ${why}; running it again in ${delayMs} ms`);
    const limit = startDeadline(config.stepMs);
    try {
      await Promise.race([job.moveToDelayed(Date.now() + delayMs, token), limit.passed]);
    } catch {
      throw err;
    } finally {
      limit.clear();
    }
    throw new DelayedError();
  }

  return async function tracked(job: RunnableJob, token?: string): Promise<void> {
    const data = AsyncJobSchema.safeParse(job.data);
    if (!data.success) {
      // Nothing to run, now or later; an event whose job this was is found by the reconciler.
      givenUp?.inc({ reason: "unrecoverable" });
      throw new UnrecoverableError(malformedJobMessage(data.error));
    }
    const { invocationId } = data.data;
    const ended = activity?.started();
    const deadline = startDeadline(config.stepMs);
    try {
      // A run that outlives its deadline is left behind: whatever it still does is stale.
      await Promise.race([run(job, invocationId, deadline), deadline.passed]);
    } catch (err) {
      await giveBack(job, token, err);
    } finally {
      deadline.clear();
      ended?.();
    }
  };
}

function parsed(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    return { errorMessage: payload.toString("utf8").slice(0, 4096) };
  }
}
