// What becomes of a Kafka batch whose invocation failed with a function error, as a
// plain function (Lambda's stream semantics): records past MaximumRecordAgeInSeconds
// are given up; with BisectBatchOnFunctionError a batch of several is split in two
// (uncounted); otherwise the failure counts, and past MaximumRetryAttempts the batch
// is given up (to the OnFailure destination) so that the partition moves on.

export interface FailedBatch {
  size: number;
  /** Failures the batch's records already counted (the most of any of them). */
  attempts: number;
  /** Timestamp (ms) of the batch's oldest record. */
  oldest: number;
}

export interface RetryPolicy {
  /** -1: no limit. */
  maxRetries: number;
  /** -1: no limit. */
  maxAgeSeconds: number;
  bisect: boolean;
}

export type FailureVerdict =
  | { kind: "bisect"; cap: number }
  | { kind: "retry"; attempts: number }
  | { kind: "give-up"; condition: "RetryAttemptsExhausted" | "RecordAgeExceeded"; attempts: number };

export function afterBatchFailure(b: FailedBatch, p: RetryPolicy, now: number): FailureVerdict {
  const attempts = b.attempts + 1;
  if (p.maxAgeSeconds >= 0 && now - b.oldest > p.maxAgeSeconds * 1000) {
    return { kind: "give-up", condition: "RecordAgeExceeded", attempts };
  }
  if (p.bisect && b.size > 1) return { kind: "bisect", cap: Math.ceil(b.size / 2) };
  if (p.maxRetries >= 0 && attempts > p.maxRetries)
    return { kind: "give-up", condition: "RetryAttemptsExhausted", attempts };
  return { kind: "retry", attempts };
}
