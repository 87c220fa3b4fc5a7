import { describe, expect, it } from "vitest";
import { type AsyncStatus, allows, STATUSES } from "../store/async-state.js";
import {
  type AttemptLimits,
  type CallFacts,
  endingEvent,
  judgeAttempt,
  mayTakeOver,
  type RequeueReason,
  requeueMove,
  type Verdict,
} from "./async-decisions.js";

const SINK = "arn:aws:lambda:us-east-1:123456789012:function:sink";
const inv: AttemptLimits = {
  accountId: "123456789012",
  attempt: 1,
  givenBack: 0,
  maxAttempts: 4,
  maxEventAgeSeconds: 3600,
};
const backoff = { backoffBaseMs: 1000, backoffCapMs: 300_000 };

describe("judgeAttempt", () => {
  it.each<[string, Partial<AttemptLimits>, CallFacts, Verdict]>([
    ["a success", {}, { outcome: "success", ageMs: 0 }, { event: "succeed" }],
    [
      "a success, delivered",
      { onSuccess: SINK },
      { outcome: "success", ageMs: 0 },
      { event: "succeed", delivery: { target: SINK, condition: "Success" } },
    ],
    [
      "a function error with attempts left",
      {},
      { outcome: "function_error", ageMs: 0 },
      { event: "retry", delayMs: 750 },
    ],
    [
      "a platform error on the last attempt (it spends none)",
      { attempt: 4 },
      { outcome: "platform_error", ageMs: 0 },
      { event: "retry", delayMs: 750 },
    ],
    [
      "a platform error after three given back waits longer",
      { givenBack: 3 },
      { outcome: "platform_error", ageMs: 0 },
      { event: "retry", delayMs: 6000 },
    ],
    [
      "the last attempt's function error",
      { attempt: 4 },
      { outcome: "function_error", ageMs: 0 },
      { event: "dead_letter" },
    ],
    [
      "the last attempt's function error, delivered",
      { attempt: 4, onFailure: SINK },
      { outcome: "function_error", ageMs: 0 },
      { event: "fail", delivery: { target: SINK, condition: "RetriesExhausted" } },
    ],
    [
      "a failure no retry could wait for within the event's age",
      {},
      { outcome: "function_error", ageMs: 3600_000 - 100 },
      { event: "expire" },
    ],
    [
      "an event too old to run, delivered",
      { onFailure: SINK },
      { outcome: "too_old", ageMs: 3600_001 },
      { event: "expire", delivery: { target: SINK, condition: "EventAgeExceeded" } },
    ],
    ["the function gone", { attempt: 1 }, { outcome: "gone", ageMs: 0 }, { event: "dead_letter" }],
    [
      "the function gone, delivered",
      { onFailure: SINK },
      { outcome: "gone", ageMs: 0 },
      { event: "fail", delivery: { target: SINK, condition: "RetriesExhausted" } },
    ],
    [
      "a failure whose destination cannot be delivered to (another account's)",
      { attempt: 4, onFailure: "arn:aws:lambda:us-east-1:999999999999:function:sink" },
      { outcome: "function_error", ageMs: 0 },
      { event: "dead_letter" },
    ],
    [
      "a success delivered to an SQS queue of the account",
      { onSuccess: "arn:aws:sqs:us-east-1:123456789012:q" },
      { outcome: "success", ageMs: 0 },
      { event: "succeed", delivery: { target: "arn:aws:sqs:us-east-1:123456789012:q", condition: "Success" } },
    ],
    [
      "a success whose destination is another account's queue",
      { onSuccess: "arn:aws:sqs:us-east-1:999999999999:q" },
      { outcome: "success", ageMs: 0 },
      { event: "succeed" },
    ],
    [
      "a failure delivered to an SNS topic of the account",
      { attempt: 4, onFailure: "arn:aws:sns:us-east-1:123456789012:topic" },
      { outcome: "function_error", ageMs: 0 },
      {
        event: "fail",
        delivery: { target: "arn:aws:sns:us-east-1:123456789012:topic", condition: "RetriesExhausted" },
      },
    ],
    [
      "a success whose destination is another account's topic",
      { onSuccess: "arn:aws:sns:us-east-1:999999999999:topic" },
      { outcome: "success", ageMs: 0 },
      { event: "succeed" },
    ],
    [
      "a failure whose destination is not a function, a queue nor a topic",
      { attempt: 4, onFailure: "arn:aws:events:us-east-1:123456789012:event-bus/default" },
      { outcome: "function_error", ageMs: 0 },
      { event: "dead_letter" },
    ],
  ])("%s", (_label, patch, call, verdict) => {
    expect(judgeAttempt({ ...inv, ...patch }, call, backoff, 0.5)).toEqual(verdict);
  });
});

describe("endingEvent", () => {
  it.each<[Parameters<typeof endingEvent>[0], boolean, ReturnType<typeof endingEvent>]>([
    ["RetriesExhausted", true, "fail"],
    ["RetriesExhausted", false, "dead_letter"],
    ["EventAgeExceeded", true, "expire"],
    ["EventAgeExceeded", false, "expire"],
  ])("%s, delivered %s: %s", (condition, delivered, event) => {
    expect(endingEvent(condition, delivered)).toBe(event);
  });
});

describe("mayTakeOver", () => {
  it.each([
    [0, 1, false],
    [1, 1, true],
    [0, 2, true],
    [1, 3, true],
  ])("stalled %s times, started %s times: %s", (stalledCounter, attemptsStarted, takes) => {
    expect(mayTakeOver({ stalledCounter, attemptsStarted })).toBe(takes);
  });
});

describe("requeueMove", () => {
  const cases: [AsyncStatus, boolean | undefined, RequeueReason | undefined][] = [
    ["accepted", true, undefined],
    ["accepted", false, "lost_job"],
    ["accepted", undefined, "lost_job"],
    ["retrying", true, undefined],
    ["retrying", false, "lost_job"],
    ["retrying", undefined, "lost_job"],
    ["running", true, "lease_expired"],
    ["running", undefined, "lease_expired"],
    ...STATUSES.filter((s) => !allows(s, "requeue") && !allows(s, "expire_lease")).map(
      (s): [AsyncStatus, boolean | undefined, undefined] => [s, false, undefined],
    ),
  ];
  it.each(cases)("%s with a live job %s: %s", (status, live, reason) => {
    const move = requeueMove(status, live);
    expect(move?.reason).toBe(reason);
    // The move it names is an edge of the machine.
    if (move) expect(allows(status, move.event)).toBe(true);
  });
});
