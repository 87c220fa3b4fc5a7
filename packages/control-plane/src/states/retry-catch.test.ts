import { describe, expect, it } from "vitest";
import { type Catcher, decideOnError, errorMatches, type Retrier } from "./retry-catch.js";

const half = () => 0.5;

describe("errorMatches", () => {
  it.each([
    [["States.ALL"], "Custom", true],
    [["States.ALL"], "States.Runtime", false],
    [["States.Runtime"], "States.Runtime", true],
    [["States.TaskFailed"], "Lambda.ServiceException", true],
    [["States.TaskFailed"], "States.Timeout", false],
    [["States.Timeout"], "States.Timeout", true],
    [["A", "B"], "B", true],
    [["A"], "B", false],
  ])("%j matches %s: %s", (names, error, expected) => {
    expect(errorMatches(names, error)).toBe(expected);
  });
});

describe("decideOnError", () => {
  const retriers: Retrier[] = [
    { ErrorEquals: ["Flaky"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 3, MaxDelaySeconds: 10 },
    { ErrorEquals: ["States.ALL"], MaxAttempts: 1 },
  ];
  const catchers: Catcher[] = [{ ErrorEquals: ["States.ALL"], Next: "Recover" }];
  it.each([
    ["Flaky", [], { retry: 0, delayMs: 2000 }],
    ["Flaky", ["Flaky"], { retry: 0, delayMs: 6000 }],
    ["Flaky", ["Flaky", "Flaky"], { retry: 0, delayMs: 10000 }],
    ["Flaky", ["Flaky", "Flaky", "Flaky"], { catch: 0 }],
    ["Other", ["Flaky"], { retry: 1, delayMs: 1000 }],
    ["Other", ["Other"], { catch: 0 }],
    ["States.Runtime", [], { fail: true }],
  ])("%s after %j → %j", (error, previous, expected) => {
    expect(decideOnError(retriers, catchers, error, previous, half)).toEqual(expected);
  });

  it("MaxAttempts 0 never retries; FULL jitter scales the delay", () => {
    expect(decideOnError([{ ErrorEquals: ["E"], MaxAttempts: 0 }], [], "E", [], half)).toEqual({ fail: true });
    const full: Retrier[] = [{ ErrorEquals: ["E"], IntervalSeconds: 4, JitterStrategy: "FULL" }];
    expect(decideOnError(full, [], "E", ["E"], half)).toEqual({ retry: 0, delayMs: 4000 });
  });
});

describe("$$.State.RetryCount", () => {
  it("is 0 on the first attempt and 1 on the first retry, as in Step Functions", async () => {
    const { MemoryDriver } = await import("./memory-driver.js");
    const { functionError } = await import("./outcome-events.js");
    const fn = "arn:aws:lambda:us-east-1:123456789012:function:flaky";
    const driver = new MemoryDriver(
      {
        StartAt: "T",
        States: {
          T: {
            Type: "Task",
            Resource: fn,
            Parameters: { "retry.$": "$$.State.RetryCount" },
            Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 1, MaxAttempts: 3 }],
            End: true,
          },
        },
      },
      { executionArn: "e", name: "e", stateMachineArn: "m", stateMachineName: "m", roleArn: "r" },
      { functions: { flaky: (p) => ((p as { retry: number }).retry === 0 ? functionError("Flaky", "first") : p) } },
    );
    const r = await driver.run({});
    expect(r.status).toBe("SUCCEEDED");
    expect(r.invocations.map((i) => i.payload)).toEqual([{ retry: 0 }, { retry: 1 }]);
  });
});
