// What happens after an async attempt: pure, table-tested. Function errors
// (including timeouts and OOM) spend an attempt and are retried with exponential
// backoff and full jitter until attempts run out; throttles and platform errors are
// retried without spending attempts; nothing is retried past the event's maximum age.
import { StratusError } from "@stratus/shared";

export type AttemptOutcome = "success" | "function_error" | "platform_error";

export interface RetryInput {
  outcome: AttemptOutcome;
  /** Attempts made so far, including this one. */
  attempt: number;
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
  const spendAttempt = i.outcome === "function_error";
  if (spendAttempt && i.attempt >= i.maxAttempts) return { action: "fail", condition: "RetriesExhausted" };
  const delayMs = backoffMs(i.attempt, i.backoffBaseMs, i.backoffCapMs, i.random);
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
