import { describe, expect, it } from "vitest";
import { afterBatchFailure } from "./kafka-retry.js";

const now = 1_000_000;
const fresh = { size: 1, attempts: 0, oldest: now - 1000 };
const policy = { maxRetries: 2, maxAgeSeconds: -1, bisect: false };

describe("a failed Kafka batch", () => {
  it.each([
    ["retried while under MaximumRetryAttempts", fresh, policy, { kind: "retry", attempts: 1 }],
    ["retried on its last allowed retry", { ...fresh, attempts: 1 }, policy, { kind: "retry", attempts: 2 }],
    [
      "given up past MaximumRetryAttempts",
      { ...fresh, attempts: 2 },
      policy,
      { kind: "give-up", condition: "RetryAttemptsExhausted", attempts: 3 },
    ],
    [
      "given up at once with MaximumRetryAttempts 0",
      fresh,
      { ...policy, maxRetries: 0 },
      { kind: "give-up", condition: "RetryAttemptsExhausted", attempts: 1 },
    ],
    [
      "retried for ever with -1",
      { ...fresh, attempts: 5000 },
      { ...policy, maxRetries: -1 },
      { kind: "retry", attempts: 5001 },
    ],
    [
      "given up when older than MaximumRecordAgeInSeconds",
      { ...fresh, oldest: now - 61_000 },
      { ...policy, maxAgeSeconds: 60 },
      { kind: "give-up", condition: "RecordAgeExceeded", attempts: 1 },
    ],
    ["kept when younger than the age limit", fresh, { ...policy, maxAgeSeconds: 60 }, { kind: "retry", attempts: 1 }],
    ["split in two with bisect", { ...fresh, size: 7 }, { ...policy, bisect: true }, { kind: "bisect", cap: 4 }],
    [
      "counted when alone even with bisect",
      { ...fresh, attempts: 2 },
      { ...policy, bisect: true },
      { kind: "give-up", condition: "RetryAttemptsExhausted", attempts: 3 },
    ],
  ] as const)("is %s", (_, batch, p, verdict) => {
    expect(afterBatchFailure(batch, p, now)).toEqual(verdict);
  });
});
