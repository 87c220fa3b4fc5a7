// What happens after an async attempt: pure, table-tested. Function errors
// (including timeouts and OOM) spend an attempt and are retried with exponential
// backoff and jitter until attempts run out; throttles and platform errors are
// retried without spending attempts, backing off by the attempts given back so far
// (up to the cap); nothing is retried past the event's maximum age.
// Apart from the attempts it spends, an event counts its invokes: the attempts that
// reached an invoker node, where the function may have run.
import { StratusError } from "@stratus/shared";

export type AttemptOutcome = "success" | "function_error" | "platform_error";

/** How an attempt ended: an outcome, or `not_run` (the event too old, the function gone: no call was made). */
export type AttemptEnd = AttemptOutcome | "not_run";

/** Only an attempt that ran the function to an answer (a result or its error) spends one of the event's attempts. */
const spendsAttempt = (end: AttemptEnd) => end === "success" || end === "function_error";

/**
 * What an ended attempt gives back of the two counts its start took (an invocation's
 * `attempt` and `invokeCount`, each raised by one when an attempt starts). The attempt
 * is given back unless the function ran to an answer: a throttle, a platform error or
 * a call never made spends none of the event's attempts. The invoke is given back
 * only when the call never reached a node (a throttle, a node that refused it or could
 * not be reached, no call at all): one that reached a node may have run the function,
 * even if the node then died or went silent, and counts in Lambda's
 * approximateInvokeCount.
 */
export function attemptRefunds(
  end: AttemptEnd,
  reachedNode: boolean,
): { refundAttempt: boolean; refundInvoke: boolean } {
  return { refundAttempt: !spendsAttempt(end), refundInvoke: !reachedNode };
}

export interface RetryInput {
  outcome: AttemptOutcome;
  /** Attempts spent so far, including this one if it spends one. */
  attempt: number;
  /** Attempts given back before this one (throttles, platform errors), which spend none. */
  givenBack: number;
  maxAttempts: number;
  ageMs: number;
  maxAgeMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** In [0, 1): the jitter draw. */
  random: number;
}

export type RetryDecision =
  | { action: "succeed" }
  | { action: "retry"; delayMs: number; spendAttempt: boolean }
  | { action: "fail"; condition: "RetriesExhausted" | "EventAgeExceeded" };

export function backoffMs(attempt: number, baseMs: number, capMs: number, random: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export function decide(i: RetryInput): RetryDecision {
  if (i.outcome === "success") return { action: "succeed" };
  const spendAttempt = spendsAttempt(i.outcome);
  if (spendAttempt && i.attempt >= i.maxAttempts) return { action: "fail", condition: "RetriesExhausted" };
  // An attempt given back leaves `attempt` where it was: its own count makes the wait grow.
  const step = spendAttempt ? i.attempt : i.givenBack + 1;
  const delayMs = backoffMs(step, i.backoffBaseMs, i.backoffCapMs, i.random);
  if (i.ageMs + delayMs > i.maxAgeMs) return { action: "fail", condition: "EventAgeExceeded" };
  return { action: "retry", delayMs, spendAttempt };
}

/**
 * What an invoke that threw, rather than answering with the function's result, means
 * for the attempt: the function or its version is gone (no retry can succeed), or the
 * platform failed: a throttle, a node lost or gone silent mid-request, Redis or
 * Postgres away. Those may have run the function or not; they spend no attempt.
 */
export function thrownOutcome(err: unknown): "gone" | "platform_error" {
  return err instanceof StratusError && err.code === "ResourceNotFoundException" ? "gone" : "platform_error";
}
