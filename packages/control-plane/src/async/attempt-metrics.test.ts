import { describe, expect, it } from "vitest";
import type { Verdict } from "./async-decisions.js";
import { asyncEnding } from "./attempt-metrics.js";

const FN = "arn:aws:lambda:us-east-1:111111111111:function:dest";
const SQS = "arn:aws:sqs:us-east-1:111111111111:q";
const delivered = (condition: "Success" | "RetriesExhausted" | "EventAgeExceeded") => ({ target: FN, condition });

describe("asyncEnding", () => {
  it.each<[string, { onSuccess?: string; onFailure?: string }, Verdict, { dropped: boolean; undeliverable: boolean }]>([
    ["a retry", { onFailure: SQS }, { event: "retry", delayMs: 10 }, { dropped: false, undeliverable: false }],
    ["a success, no destination", {}, { event: "succeed" }, { dropped: false, undeliverable: false }],
    [
      "a success delivered",
      { onSuccess: FN },
      { event: "succeed", delivery: delivered("Success") },
      { dropped: false, undeliverable: false },
    ],
    ["a success to an SQS queue", { onSuccess: SQS }, { event: "succeed" }, { dropped: false, undeliverable: true }],
    [
      "a failure delivered",
      { onFailure: FN },
      { event: "fail", delivery: delivered("RetriesExhausted") },
      { dropped: true, undeliverable: false },
    ],
    ["dead-lettered, no destination", {}, { event: "dead_letter" }, { dropped: true, undeliverable: false }],
    [
      "dead-lettered as its destination is an SQS queue",
      { onFailure: SQS },
      { event: "dead_letter" },
      { dropped: true, undeliverable: true },
    ],
    ["expired", {}, { event: "expire" }, { dropped: true, undeliverable: false }],
    [
      "a failure with only an on-success destination",
      { onSuccess: FN },
      { event: "dead_letter" },
      { dropped: true, undeliverable: false },
    ],
  ])("%s", (_, inv, verdict, ending) => {
    expect(asyncEnding(inv, verdict)).toEqual(ending);
  });
});
