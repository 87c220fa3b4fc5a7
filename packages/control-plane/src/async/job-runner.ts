// Runs one async job (a queue worker feeds it the queue's jobs): start, invoke, decide,
// record. The job starts an attempt with a conditional update (a duplicate or stale
// job finds nothing to start), calls the function (attempt-call.ts), decides the
// invocation's next move (async-decisions.ts) and records it conditionally on that
// attempt (attempt-record.ts). A job is bounded (job-deadline.ts): one that fails, or
// runs past its deadline, is given back to the queue to run again as a takeover
// (job-give-back.ts); one that fails in a way no rerun can change (job-failure.ts)
// dead-letters its event at once, and a job whose data names no invocation fails.
import type { Logger } from "@stratus/shared";
import { AsyncJobSchema } from "@stratus/shared";
import type { Counter } from "prom-client";
import type { LambdaControlPlaneMetrics } from "../lambda-metrics.js";
import type { MetricCounters } from "../monitoring/metric-counters.js";
import type { InvokeService } from "../services/invoke-service.js";
import type { AsyncInvocation, AsyncStore } from "../store/async-store.js";
import { judgeAttempt, mayTakeOver } from "./async-decisions.js";
import { callFunction } from "./attempt-call.js";
import { asyncEnding } from "./attempt-metrics.js";
import { type RecordDeps, recordAttempt } from "./attempt-record.js";
import { type FinishedHooks, finishedOutcome } from "./finished-hooks.js";
import { type JobDeadline, startDeadline, stepper } from "./job-deadline.js";
import { malformedJobMessage, processingError, unrecoverable } from "./job-failure.js";
import { giveBack } from "./job-give-back.js";
import type { JobActivity } from "./keep-alive/worker-activity.js";
import type { AsyncQueue, JobEnd, JobProcessor, QueueJob } from "./queue/async-queue.js";
import { markStage } from "./stage-marks.js";

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
  /** Lambda's async metrics (attempt-record.ts), and DeadLetterErrors for events no retry can process. */
  counters?: MetricCounters;
  /** Lambda's async metrics by function (AsyncEventAge, AsyncEventsReceived and Dropped, ...). */
  lambda?: LambdaControlPlaneMetrics;
  /** Told of each awaited invocation's final outcome before it is recorded (finished-hooks.ts). */
  finished?: FinishedHooks;
  /** A function's DeadLetterConfig queue or topic (function-dead-letter.ts), asked when an event is discarded. */
  deadLetterTarget?: RecordDeps["deadLetterTarget"];
  /** SNS's relay, told when an ending committed messages to topics. */
  published?: RecordDeps["published"];
}

/** Longest a function may run (900 s) plus slack: a lease older than this is abandoned. */
const LEASE_SECONDS = 960;

/** The queue's processor of async jobs. */
export function createJobRunner(
  store: AsyncStore,
  queue: Pick<AsyncQueue, "add">,
  invoke: InvokeService,
  config: JobRunnerConfig,
  log: Logger,
  { activity, givenUp, counters, lambda, finished, deadLetterTarget, published }: JobWatch = {},
): JobProcessor {
  const recording: RecordDeps = {
    store,
    queue,
    region: config.region,
    ...(counters ? { counters } : {}),
    ...(deadLetterTarget ? { deadLetterTarget } : {}),
    ...(published ? { published } : {}),
  };
  const record = (inv: AsyncInvocation, metric: "DeadLetterErrors" | "AsyncEventsDropped") =>
    counters?.record({
      accountId: inv.accountId,
      functionName: inv.functionName,
      resource: inv.qualifier ?? "",
      metric,
    });
  /** A move to the dead-letter record that failed (Lambda's DeadLetterErrors), in both metric sinks. */
  const deadLetterError = (inv: AsyncInvocation) => {
    lambda?.deadLetterError(inv);
    record(inv, "DeadLetterErrors");
  };

  /** One attempt at the job's event; `deadline` started with the job, and each step moves it on. */
  async function run(job: QueueJob, invocationId: string, deadline: JobDeadline): Promise<void> {
    const step = stepper(deadline, config.stepMs);
    const takeover = mayTakeOver(job);
    markStage("picked", invocationId);
    const inv = await step(() => store.start(invocationId, job.id ?? "", LEASE_SECONDS, takeover));
    if (!inv) return; // finished, running elsewhere, or not known: nothing to do
    markStage("started", invocationId);
    // Its first attempt: none spent or given back before it, and no takeover of a lost one.
    const first = inv.attempt === 1 && inv.givenBack === 0 && !takeover;
    lambda?.attemptStarted(inv, (Date.now() - inv.acceptedAt.getTime()) / 1000, first);
    try {
      const call = await callFunction(invoke, inv, deadline, config.stepMs);
      markStage("invoked", invocationId);
      const verdict = judgeAttempt(inv, call, config, Math.random());
      if (finished && inv.awaited && verdict.event !== "retry") {
        const outcome = finishedOutcome(call);
        await step(() => finished.notify({ invocationId: inv.id, accountId: inv.accountId, outcome }));
      }
      const moved = await recordAttempt(recording, inv, call, verdict, step).catch((err: unknown) => {
        if (verdict.event === "dead_letter") deadLetterError(inv);
        throw err;
      });
      if (moved) lambda?.attemptEnded(inv, asyncEnding(inv, verdict));
      markStage("recorded", invocationId);
    } catch (err) {
      if (!unrecoverable(err)) throw err;
      // Run again, the job would fail the same way, running the function again first
      // each time: the event ends here (no destination: building or recording its
      // delivery may be what failed).
      givenUp?.inc({ reason: "unrecoverable" });
      log.error("async event dead-lettered: no retry can process it", { requestId: inv.id, jobId: job.id, err });
      const moved = await step(() =>
        store.finish(inv.id, inv.attempt, "dead_letter", { error: processingError(err) }),
      ).catch((finishErr: unknown) => {
        deadLetterError(inv);
        throw finishErr;
      });
      if (moved) record(inv, "AsyncEventsDropped");
      if (moved) lambda?.attemptEnded(inv, { dropped: true, undeliverable: false });
    }
  }

  return async function tracked(job: QueueJob): Promise<JobEnd> {
    const data = AsyncJobSchema.safeParse(job.data);
    if (!data.success) {
      // Nothing to run, now or later; an event whose job this was is found by the reconciler.
      givenUp?.inc({ reason: "unrecoverable" });
      return { kind: "rejected", reason: malformedJobMessage(data.error) };
    }
    const ended = activity?.started();
    const deadline = startDeadline(config.stepMs);
    try {
      // A run that outlives its deadline is left behind: whatever it still does is stale.
      await Promise.race([run(job, data.data.invocationId, deadline), deadline.passed]);
      return { kind: "done" };
    } catch (err) {
      return await giveBack(job, err, { ...config, log: log.child({ requestId: data.data.invocationId }), givenUp });
    } finally {
      deadline.clear();
      ended?.();
    }
  };
}
