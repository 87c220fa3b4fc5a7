// Whether an account may invoke under its monthly quota, as a pure function of the
// quota and what it has used this month: the reason and message of a refusal, or
// undefined. A limit is reached when the usage is at it: a quota of 10 requests
// admits 10 invokes and refuses the 11th.
import { StratusError } from "@stratus/shared";
import type { Quota } from "../store/quota-store.js";

export interface Used {
  requests: number;
  gbSeconds: number;
}

export type QuotaReason = "MonthlyRequestQuotaExceeded" | "MonthlyGbSecondQuotaExceeded";

export interface Refusal {
  reason: QuotaReason;
  message: string;
}

/** The first UTC instant of the month of `now`, and of the next month. */
export function monthOf(now: Date): { start: Date; next: Date } {
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    next: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function quotaVerdict(
  accountId: string,
  quota: Quota | undefined,
  used: Used,
  resetsAt: Date,
): Refusal | undefined {
  if (!quota) return undefined;
  const resets = `it resets at ${resetsAt.toISOString()}`;
  if (quota.requests !== undefined && used.requests >= quota.requests) {
    return {
      reason: "MonthlyRequestQuotaExceeded",
      message: `Account ${accountId} has used ${used.requests} of its monthly quota of ${quota.requests} requests; ${resets}.`,
    };
  }
  if (quota.gbSeconds !== undefined && used.gbSeconds >= quota.gbSeconds) {
    return {
      reason: "MonthlyGbSecondQuotaExceeded",
      message: `Account ${accountId} has used ${round(used.gbSeconds)} of its monthly quota of ${quota.gbSeconds} GB-seconds; ${resets}.`,
    };
  }
  return undefined;
}

/** A refusal as Lambda's throttle: 429 TooManyRequestsException, its Reason, and Retry-After at the month's end. */
export function quotaExceeded(refusal: Refusal, now: Date, resetsAt: Date): StratusError {
  const retryAfter = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000));
  return new StratusError("TooManyRequestsException", 429, "client", refusal.message, {
    "Retry-After": String(retryAfter),
    Reason: refusal.reason,
  });
}
