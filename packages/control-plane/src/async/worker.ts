// Runs async invocations from the queue through the same placement and invokers as
// sync invokes (so warm containers are shared). Each job starts an attempt with a
// conditional update (a duplicate or stale job finds nothing to start), runs it,
// and records the outcome conditionally on that attempt: success (and the
// on-success destination), a retry after backoff (a new delayed job), or the end
// (on-failure destination, or the dead-letter record). Destination deliveries are
// new async invocations committed with the outcome, in one transaction.
// Every attempt (the first, retries, a takeover after a stall) runs under the
// invocation's id as its request id, the one its caller got with the 202: as in
// Lambda, the function sees one context.awsRequestId and its logs share that id.
// Starting an attempt counts it as spent and as an invoke; its end gives back what
// it did not use (retry-policy.ts attemptRefunds), so that destination records carry
// the invokes that may have run the function, not the attempts spent.
// A job is bounded (job-deadline.ts): one that fails, or runs past its deadline (a
// step stuck on a connection that stopped answering), is put back in the queue after
// a backoff and runs again as a takeover, which makes the attempt it gave up stale.
import { randomUUID } from "node:crypto";
import { AsyncJobSchema, asyncQueue, StratusError } from "@stratus/shared";
import { DelayedError, type Job, type Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Counter } from "prom-client";
import type { Logger } from "../api/error-middleware.js";
import type { InvokeResult, InvokeService } from "../services/invoke-service.js";
import type { AsyncInvocation, AsyncStore, NewAsyncInvocation } from "../store/async-store.js";
import { destinationFunction, destinationRecord } from "./destination.js";
import { type JobDeadline, JobOverdueError, startDeadline } from "./job-deadline.js";
import { jobOptions } from "./relay.js";
import {
  type AttemptEnd,
  type AttemptOutcome,
  attemptRefunds,
  backoffMs,
  decide,
  thrownOutcome,
} from "./retry-policy.js";
import type { JobActivity } from "./worker-activity.js";

export interface WorkerConfig {
  /** Each worker opens its own connection here, so that a replacement never inherits a hung one. */
  redisUrl: string;
  concurrency: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  region: string;
  /**
   * How long one step of a job (a Postgres statement, a Redis command) may take; the
   * call to a node may take the time the node has to answer on top.
   */
  stepMs: number;
}

/** Longest a function may run (900 s) plus slack: a lease older than this is abandoned. */
const LEASE_SECONDS = 960;

/** The name the worker's Redis connection goes by in CLIENT LIST. */
export const WORKER_CONNECTION_NAME = "stratus:async-worker";

export function startAsyncWorker(
  store: AsyncStore,
  queue: Queue,
  invoke: InvokeService,
  config: WorkerConfig,
  log: Logger,
  watch: {
    /** Told of each job as it starts and ends (the watchdog's view). */
    activity?: JobActivity;
    /** Counts the jobs given up, by reason: deadline or error. */
    givenUp?: Counter<"reason">;
  } = {},
): Worker {
  const { activity, givenUp } = watch;
  const arnOf = (inv: AsyncInvocation) =>
    `arn:aws:lambda:${config.region}:${inv.accountId}:function:${inv.functionName}:${inv.qualifier ?? "$LATEST"}`;

  /** `invokeCount`: the event's invokes, this attempt's counted if it reached a node. */
  function delivery(
    inv: AsyncInvocation,
    target: string | undefined,
    condition: "Success" | "RetriesExhausted" | "EventAgeExceeded",
    result: InvokeResult | undefined,
    invokeCount: number,
  ): NewAsyncInvocation | undefined {
    const fn = target ? destinationFunction(target, inv.accountId) : undefined;
    if (!fn) return undefined;
    return {
      id: randomUUID(),
      accountId: inv.accountId,
      functionName: fn.name,
      ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
      payload: destinationRecord({
        requestId: inv.id,
        functionArn: arnOf(inv),
        condition,
        approximateInvokeCount: invokeCount,
        requestPayload: inv.payload,
        executedVersion: result?.executedVersion,
        functionError: result?.functionError,
        responsePayload: result?.payload,
      }),
      // A destination's own failures end in its dead-letter record, never in another destination.
      maxAttempts: 1 + 3,
      maxEventAgeSeconds: inv.maxEventAgeSeconds,
    };
  }

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
    const status = condition === "EventAgeExceeded" ? "expired" : followUp ? "failed" : "dead_lettered";
    const fields = { error, ...refunds, ...(result ? { executedVersion: result.executedVersion } : {}) };
    await store.finish(inv.id, inv.attempt, status, followUp ? { ...fields, followUp } : fields);
  }

  /** `deadline` starts with the job; each step moves it on as it begins. */
  async function run(job: Job, invocationId: string, deadline: JobDeadline): Promise<void> {
    const step = <T>(begin: () => Promise<T>): Promise<T> => {
      deadline.allow(config.stepMs);
      return begin();
    };
    // Re-run after a stall (the worker that had this job lost it: crashed or cut off),
    // or after this worker gave it up (run again: job.attemptsStarted counts it).
    const stalled = job.stalledCounter > 0 || job.attemptsStarted > 1;
    const inv = await step(() => store.start(invocationId, LEASE_SECONDS, stalled ? job.id : undefined));
    if (!inv) return; // finished, running elsewhere, or not known: nothing to do
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
      await step(() => store.finish(inv.id, inv.attempt, "succeeded", followUp ? { ...fields, followUp } : fields));
      return;
    }
    if (decision.action === "fail")
      return step(() => end(inv, decision.condition, result, error, outcome, reachedNode));
    const jobId = asyncQueue.jobId(inv.id, `a${inv.attempt}-${randomUUID().slice(0, 8)}`);
    const moved = await step(() =>
      store.finish(inv.id, inv.attempt, "retrying", {
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
  async function giveBack(job: Job, token: string | undefined, err: unknown): Promise<never> {
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

  async function tracked(job: Job, token?: string): Promise<void> {
    const { invocationId } = AsyncJobSchema.parse(job.data);
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
  }

  // BullMQ requires maxRetriesPerRequest: null here; it duplicates this connection
  // for its blocking fetch, and leaves the connection itself to us.
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null, connectionName: WORKER_CONNECTION_NAME });
  connection.on("error", (err: Error) => log.warn(`redis (async worker): ${err.message}`));
  const worker = new Worker(asyncQueue.name, tracked, {
    connection,
    concurrency: config.concurrency,
    lockDuration: 30_000,
    stalledInterval: 30_000,
    maxStalledCount: 1,
  });
  worker.on("error", (err) => log.warn(`async worker: ${err.message}`));
  worker.on("failed", (job, err) => log.warn(`async job ${job?.id} failed: ${err.message}`));
  worker.on("closed", () => connection.disconnect());
  return worker;
}

function parsed(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    return { errorMessage: payload.toString("utf8").slice(0, 4096) };
  }
}
