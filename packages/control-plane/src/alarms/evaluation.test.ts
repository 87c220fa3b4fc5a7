import { describe, expect, it } from "vitest";
import type { StateValue, TreatMissingData } from "../store/alarm-types.js";
import { evaluate, evaluationRange, type Rule, type Slot } from "./evaluation.js";

/** Slots from a pattern, oldest first: X breaches (2.0 > 1), 0 does not (0.0), - is missing; periods of 60 s. */
function slots(pattern: string): Slot[] {
  return pattern
    .split(" ")
    .map((c, i) => (c === "-" ? { start: i * 60 } : { start: i * 60, value: c === "X" ? 2 : 0, sampleCount: 1 }));
}

const rule = (n: number, m: number, treatMissingData: TreatMissingData): Rule => ({
  comparisonOperator: "GreaterThanThreshold",
  threshold: 1,
  evaluationPeriods: n,
  datapointsToAlarm: m,
  treatMissingData,
});

const MODES: TreatMissingData[] = ["missing", "ignore", "breaching", "notBreaching"];
type Outcome = StateValue | "keep";

describe("evaluate", () => {
  it("reads EvaluationPeriods + 2 periods", () => {
    expect(evaluationRange(3)).toBe(5);
    expect(evaluationRange(1)).toBe(3);
  });

  // [N, M, datapoints (oldest first), outcome per mode: missing, ignore, breaching, notBreaching]
  it.each<[number, number, string, [Outcome, Outcome, Outcome, Outcome]]>([
    // CloudWatch's own table (3 of 3): https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
    [3, 3, "0 - X - X", ["OK", "OK", "OK", "OK"]],
    [3, 3, "- - - - 0", ["OK", "OK", "OK", "OK"]],
    [3, 3, "- - - - -", ["INSUFFICIENT_DATA", "keep", "ALARM", "OK"]],
    [3, 3, "0 X X - X", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    [3, 3, "- - X - -", ["ALARM", "keep", "ALARM", "OK"]],
    // Enough real datapoints: TreatMissingData plays no part.
    [3, 3, "X X X 0 0", ["OK", "OK", "OK", "OK"]],
    [3, 3, "- X X X -", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    // M out of N.
    [3, 2, "- - X 0 X", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    [3, 2, "- - 0 0 X", ["OK", "OK", "OK", "OK"]],
    [3, 2, "- - - X -", ["ALARM", "keep", "ALARM", "OK"]],
    [3, 2, "- - - - X", ["OK", "keep", "ALARM", "OK"]],
    [3, 2, "- - - 0 X", ["OK", "keep", "ALARM", "OK"]],
    [3, 1, "- - - - 0", ["OK", "keep", "ALARM", "OK"]],
    [3, 1, "- - - - X", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    // One period: the newest real datapoint in the range decides, however late.
    [1, 1, "- - X", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    [1, 1, "X - -", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    [1, 1, "X 0 -", ["OK", "OK", "OK", "OK"]],
    [1, 1, "- - -", ["INSUFFICIENT_DATA", "keep", "ALARM", "OK"]],
  ])("%i periods, %i to alarm, %s", (n, m, pattern, outcomes) => {
    MODES.forEach((mode, i) => {
      const v = evaluate(rule(n, m, mode), slots(pattern));
      expect(v.state ?? "keep", mode).toBe(outcomes[i]);
    });
  });

  it("decides on the newest EvaluationPeriods real datapoints, filling from the newest missing periods", () => {
    const full = evaluate(rule(2, 2, "missing"), slots("X X - 0 -"));
    expect(full.evaluated.map((s) => s.start)).toEqual([60, 180]);
    expect(full).toMatchObject({ state: "OK", breaching: 1, filled: 0, why: "datapoints" });
    const filled = evaluate(rule(3, 3, "breaching"), slots("- 0 - - X"));
    expect(filled.evaluated.map((s) => s.start)).toEqual([60, 180, 240]);
    expect(filled).toMatchObject({ state: "OK", breaching: 2, filled: 1 });
    expect(evaluate(rule(3, 3, "missing"), slots("- - X - -")).why).toBe("premature");
    expect(evaluate(rule(3, 3, "notBreaching"), slots("- - - - -")).why).toBe("all-missing");
  });

  it.each<[string, Rule["comparisonOperator"], number, StateValue]>([
    ["equal, >=", "GreaterThanOrEqualToThreshold", 2, "ALARM"],
    ["equal, >", "GreaterThanThreshold", 2, "OK"],
    ["equal, <=", "LessThanOrEqualToThreshold", 2, "ALARM"],
    ["equal, <", "LessThanThreshold", 2, "OK"],
    ["below, <", "LessThanThreshold", 3, "ALARM"],
  ])("compares with the threshold (%s)", (_name, comparisonOperator, threshold, state) => {
    const v = evaluate({ ...rule(1, 1, "missing"), comparisonOperator, threshold }, slots("- - X"));
    expect(v.state).toBe(state);
  });

  it("keeps the state on percentile datapoints of too few samples when asked to", () => {
    const few = [{ start: 0 }, { start: 60 }, { start: 120, value: 5, sampleCount: 50 }];
    const p99 = { ...rule(1, 1, "missing"), ignoreLowSamples: 0.99 };
    const kept = evaluate(p99, few);
    expect(kept.state).toBeUndefined();
    expect(kept.why).toBe("low-sample");
    // 10 / (1 - 0.99) = 1,000 samples make a p99 datapoint count.
    expect(evaluate(p99, [{ start: 0 }, { start: 60 }, { start: 120, value: 5, sampleCount: 1_000 }]).state).toBe(
      "ALARM",
    );
    expect(evaluate(rule(1, 1, "missing"), few).state).toBe("ALARM");
  });
});
