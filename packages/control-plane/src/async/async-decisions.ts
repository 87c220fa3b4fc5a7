// The async path's choices of an invocation's next move, as pure functions over the
// machine they move (store/async-state.ts): how a started attempt ends, whether a job's run
// may take over the attempt recorded under it, and what the reconciler does with an
// invocation that nothing runs. The effectful code around them only carries them out.
import { isQueueArnOf } from "../sqs/dead-letters.js";
import { type AsyncStatus, allows, type FinishEvent } from "../store/async-state.js";
import { type DeliveryCondition, destinationFunction, isTopicArnOf } from "./destination.js";
import { type AttemptOutcome, decide } from "./retry-policy.js";

/** How an attempt's call went, or why it made none that can run: the event too old, the function gone. */
export type CallOutcome = AttemptOutcome | "too_old" | "gone";

/** What an attempt's end is decided on. */
export interface CallFacts {
  outcome: CallOutcome;
  /** The event's age as the attempt began. */
  ageMs: number;
}

/** The invocation's part: its attempts, age limit, destinations and account. */
export interface AttemptLimits {
  accountId: string;
  /** Attempts spent, the running one included. */
  attempt: number;
  /** Attempts given back before the running one (retry-policy.ts RetryInput.givenBack). */
  givenBack: number;
  maxAttempts: number;
  maxEventAgeSeconds: number;
  onSuccess?: string;
  onFailure?: string;
}

/** A destination the outcome is delivered to, as a new invocation committed with the move. */
export interface Delivery {
  target: string;
  condition: DeliveryCondition;
}

export type Verdict =
  | { event: "retry"; delayMs: number }
  | { event: Exclude<FinishEvent, "retry">; delivery?: Delivery };

export interface Backoff {
  backoffBaseMs: number;
  backoffCapMs: number;
}

/** The move a started attempt ends with; `random` in [0, 1) is the backoff's jitter draw. */
export function judgeAttempt(inv: AttemptLimits, call: CallFacts, backoff: Backoff, random: number): Verdict {
  if (call.outcome === "too_old") return ending(inv, "EventAgeExceeded");
  // The function or its version is gone: no retry can succeed.
  if (call.outcome === "gone") return ending(inv, "RetriesExhausted");
  const decision = decide({
    outcome: call.outcome,
    attempt: inv.attempt,
    givenBack: inv.givenBack,
    maxAttempts: inv.maxAttempts,
    ageMs: call.ageMs,
    maxAgeMs: inv.maxEventAgeSeconds * 1000,
    backoffBaseMs: backoff.backoffBaseMs,
    backoffCapMs: backoff.backoffCapMs,
    random,
  });
  if (decision.action === "retry") return { event: "retry", delayMs: decision.delayMs };
  if (decision.action === "fail") return ending(inv, decision.condition);
  const delivery = deliverable(inv, inv.onSuccess, "Success");
  return delivery ? { event: "succeed", delivery } : { event: "succeed" };
}

/**
 * How an event that will not run again ends: expired when too old; otherwise failed
 * when its failure is delivered to an on-failure destination, dead-lettered when not.
 */
export function endingEvent(
  condition: "RetriesExhausted" | "EventAgeExceeded",
  delivered: boolean,
): "fail" | "dead_letter" | "expire" {
  if (condition === "EventAgeExceeded") return "expire";
  return delivered ? "fail" : "dead_letter";
}

function ending(inv: AttemptLimits, condition: "RetriesExhausted" | "EventAgeExceeded"): Verdict {
  const delivery = deliverable(inv, inv.onFailure, condition);
  const event = endingEvent(condition, delivery !== undefined);
  return delivery ? { event, delivery } : { event };
}

/**
 * A delivery to `target`, if it names a destination Stratus can deliver to: a function,
 * an SQS queue or an SNS topic of the account.
 */
function deliverable(inv: AttemptLimits, target: string | undefined, condition: DeliveryCondition) {
  const ok =
    target &&
    (destinationFunction(target, inv.accountId) ||
      isQueueArnOf(target, inv.accountId) ||
      isTopicArnOf(target, inv.accountId));
  return ok ? { target, condition } : undefined;
}

/**
 * Whether a job's run may take over the running attempt recorded under its id: the
 * queue runs it again after a stall (the worker that had it lost it: crashed or cut
 * off), or after a worker gave it up (attemptsStarted counts each run).
 */
export function mayTakeOver(job: { stalledCounter: number; attemptsStarted: number }): boolean {
  return job.stalledCounter > 0 || job.attemptsStarted > 1;
}

export type RequeueReason = "lost_job" | "lease_expired";

/**
 * What the reconciler does with an invocation it found stuck (store.stuck: waiting and
 * overdue, or running past its lease): a running attempt's lease expires; a waiting
 * one whose recorded job is no longer live (`jobLive`: undefined when it has none)
 * gets a new job. Undefined: its job will still run it, or it moved on.
 */
export function requeueMove(
  status: AsyncStatus,
  jobLive: boolean | undefined,
): { event: "expire_lease" | "requeue"; reason: RequeueReason } | undefined {
  if (allows(status, "expire_lease")) return { event: "expire_lease", reason: "lease_expired" };
  if (allows(status, "requeue") && !jobLive) return { event: "requeue", reason: "lost_job" };
  return undefined;
}
