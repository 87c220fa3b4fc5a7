import { errors } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { throttled } from "../routing/concurrency.js";
import { NodeSilentError } from "../routing/in-flight.js";
import { NodeUnreachableError } from "../routing/invoker-client.js";
import { type AttemptEnd, attemptRefunds, backoffMs, decide, type RetryInput, thrownOutcome } from "./retry-policy.js";

const base: RetryInput = {
  outcome: "function_error",
  attempt: 1,
  givenBack: 0,
  maxAttempts: 4,
  ageMs: 0,
  maxAgeMs: 6 * 3600_000,
  backoffBaseMs: 1000,
  backoffCapMs: 300_000,
  random: 0.5,
};

describe("decide", () => {
  it.each<[string, Partial<RetryInput>, ReturnType<typeof decide>]>([
    ["success", { outcome: "success" }, { action: "succeed" }],
    ["first failure retries", {}, { action: "retry", delayMs: 750, spendAttempt: true }],
    ["third failure retries", { attempt: 3 }, { action: "retry", delayMs: 3000, spendAttempt: true }],
    ["fourth failure of 1 + 3 is exhausted", { attempt: 4 }, { action: "fail", condition: "RetriesExhausted" }],
    ["no retries configured", { attempt: 1, maxAttempts: 1 }, { action: "fail", condition: "RetriesExhausted" }],
    [
      "platform errors spend nothing, and wait by what was given back, not by attempts spent",
      { outcome: "platform_error", attempt: 4 },
      { action: "retry", delayMs: 750, spendAttempt: false },
    ],
    [
      "the fourth platform error in a row waits 8 times the first",
      { outcome: "platform_error", givenBack: 3 },
      { action: "retry", delayMs: 6000, spendAttempt: false },
    ],
    [
      "platform errors wait no longer than the cap",
      { outcome: "platform_error", givenBack: 40 },
      { action: "retry", delayMs: 225_000, spendAttempt: false },
    ],
    [
      "a function error after platform errors waits by its attempts",
      { attempt: 2, givenBack: 10 },
      { action: "retry", delayMs: 1500, spendAttempt: true },
    ],
    [
      "a platform error whose grown wait would pass the maximum age expires the event",
      { outcome: "platform_error", givenBack: 40, ageMs: 6 * 3600_000 - 200_000 },
      { action: "fail", condition: "EventAgeExceeded" },
    ],
    ["too old to wait for a retry", { ageMs: 6 * 3600_000 - 100 }, { action: "fail", condition: "EventAgeExceeded" }],
    [
      "platform errors stop at the maximum age",
      { outcome: "platform_error", ageMs: 6 * 3600_000 },
      { action: "fail", condition: "EventAgeExceeded" },
    ],
  ])("%s", (_label, patch, expected) => {
    expect(decide({ ...base, ...patch })).toEqual(expected);
  });
});

describe("an event failing on the platform at every attempt", () => {
  it("backs off exponentially to the cap, not once a second, and expires within its maximum age", () => {
    let age = 0;
    let givenBack = 0;
    const delays: number[] = [];
    for (;;) {
      const d = decide({ ...base, outcome: "platform_error", attempt: 1, givenBack, ageMs: age });
      if (d.action !== "retry") {
        expect(d).toEqual({ action: "fail", condition: "EventAgeExceeded" });
        break;
      }
      delays.push(d.delayMs);
      age += d.delayMs;
      givenBack++; // recorded with the give-back (async-store finish)
    }
    expect(delays.slice(0, 5)).toEqual([750, 1500, 3000, 6000, 12_000]);
    expect(Math.max(...delays)).toBe(225_000);
    expect(age).toBeLessThanOrEqual(base.maxAgeMs);
    // Six hours at the cap is about a hundred tries; at a fixed second it was over 20,000.
    expect(delays.length).toBeLessThan(120);
  });
});

describe("thrownOutcome", () => {
  it.each<[string, unknown, ReturnType<typeof thrownOutcome>]>([
    ["a node gone silent mid-request", new NodeSilentError("n1", 12_000), "platform_error"],
    ["a node refusing connections", new NodeUnreachableError("n1", "connect ECONNREFUSED"), "platform_error"],
    ["a node dying mid-request", errors.service("Invoker node n1 failed during the request"), "platform_error"],
    ["a throttle", throttled("ConcurrentInvocationLimitExceeded"), "platform_error"],
    ["an unexpected error", new Error("boom"), "platform_error"],
    ["a deleted function", errors.notFound("Function not found"), "gone"],
  ])("%s", (_label, err, expected) => {
    expect(thrownOutcome(err)).toBe(expected);
  });
});

describe("attemptRefunds", () => {
  it.each<[string, AttemptEnd, boolean, ReturnType<typeof attemptRefunds>]>([
    ["a success spends its attempt and counts", "success", true, { refundAttempt: false, refundInvoke: false }],
    [
      "a function error spends its attempt and counts",
      "function_error",
      true,
      { refundAttempt: false, refundInvoke: false },
    ],
    [
      "a node dead or silent mid-call: the attempt back, the invoke counts (the function may have run)",
      "platform_error",
      true,
      { refundAttempt: true, refundInvoke: false },
    ],
    [
      "a throttle, a full or unreachable node: both back (nothing ran)",
      "platform_error",
      false,
      { refundAttempt: true, refundInvoke: true },
    ],
    [
      "no call made (the event too old, the function gone): both back",
      "not_run",
      false,
      { refundAttempt: true, refundInvoke: true },
    ],
  ])("%s", (_label, end, reached, expected) => {
    expect(attemptRefunds(end, reached)).toEqual(expected);
  });

  it("counts one invoke more than attempts for an event whose node died once mid-call", () => {
    // Each attempt starts counted as spent and as an invoke; its end gives back what it did not use.
    const ends: [AttemptEnd, boolean][] = [
      ["function_error", true],
      ["platform_error", true],
      ["platform_error", false],
      ["function_error", true],
    ];
    let attempt = 0;
    let invokeCount = 0;
    for (const [end, reached] of ends) {
      const { refundAttempt, refundInvoke } = attemptRefunds(end, reached);
      attempt += refundAttempt ? 0 : 1;
      invokeCount += refundInvoke ? 0 : 1;
    }
    expect({ attempt, invokeCount }).toEqual({ attempt: 2, invokeCount: 3 });
  });
});

describe("backoffMs", () => {
  it.each([
    [1, 0, 500],
    [1, 0.999, 1000],
    [4, 0.5, 6000],
    [20, 1, 300_000],
  ])("attempt %s, random %s -> %s ms", (attempt, random, expected) => {
    expect(backoffMs(attempt, 1000, 300_000, random)).toBe(Math.round(expected));
  });
});
