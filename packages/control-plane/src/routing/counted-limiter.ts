// Counts the throttles a concurrency limiter hands out: Lambda's Throttles metric.
// Every refused slot is one throttled invocation request, a sync invoke answered 429
// or an async attempt put back to wait, counted once here whichever limiter (the
// lingering one, or Redis itself) refused it.
import { StratusError } from "@stratus/shared";
import type { ConcurrencyLimiter, SlotRequest } from "./concurrency.js";

/** Told of each refused slot: whose, and Lambda's Reason for it. */
export type ThrottleListener = (req: SlotRequest, reason: string) => void;

export function countThrottles(inner: ConcurrencyLimiter, onThrottle: ThrottleListener): ConcurrencyLimiter {
  return {
    async acquire(req) {
      try {
        return await inner.acquire(req);
      } catch (err) {
        if (err instanceof StratusError && err.code === "TooManyRequestsException") {
          onThrottle(req, err.headers.Reason ?? "Unknown");
        }
        throw err;
      }
    },
    release: (slot) => inner.release(slot),
  };
}
