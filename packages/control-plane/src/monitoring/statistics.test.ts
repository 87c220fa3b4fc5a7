import { describe, expect, it } from "vitest";
import type { Bucket } from "../store/metric-types.js";
import { dimensionsOf, seriesOf } from "./metric-catalog.js";
import { aggregate } from "./metric-counters.js";
import { alignRange, datapointsAsked, parseStat, statValue } from "./statistics.js";

const bucket: Bucket = { start: 0, count: 4, sum: 10, min: 1, max: 4, percentiles: new Map([[0.99, 3.97]]) };

describe("statistics", () => {
  it.each([
    ["SampleCount", 4],
    ["Average", 2.5],
    ["Sum", 10],
    ["Minimum", 1],
    ["Maximum", 4],
    ["p99", 3.97],
    ["p50", undefined],
  ])("%s of a bucket", (name, value) => {
    expect(statValue(bucket, parseStat(name))).toBe(value);
  });

  it.each([
    ["p99", 0.99],
    ["p99.9", 0.999],
    ["p0", 0],
    ["p100", 1],
  ])("reads percentile %s", (name, fraction) => {
    const stat = parseStat(name);
    expect(stat).toMatchObject({ kind: "percentile", name });
    expect(stat.kind === "percentile" && stat.fraction).toBeCloseTo(fraction, 12);
  });

  it.each(["p101", "tm99", "TC(10:20)", "wm90", "avg", "p"])("refuses %s", (name) => {
    expect(() => parseStat(name)).toThrow(/statistic/);
  });

  it("rounds a range out to whole periods since the epoch", () => {
    const start = new Date("2026-01-01T10:07:30Z");
    const end = new Date("2026-01-01T11:00:00Z");
    expect(alignRange(start, end, 300)).toEqual({
      from: Date.parse("2026-01-01T10:05:00Z") / 1000,
      to: Date.parse("2026-01-01T11:00:00Z") / 1000,
    });
    expect(datapointsAsked(start, end, 60)).toBe(53);
    expect(datapointsAsked(new Date(0), new Date(86_400_000), 60)).toBe(1440);
  });
});

describe("series dimensions", () => {
  it.each([
    [[], {}],
    [[{ Name: "FunctionName", Value: "f" }], { functionName: "f" }],
    [
      [
        { Name: "FunctionName", Value: "f" },
        { Name: "Resource", Value: "f:prod" },
      ],
      { functionName: "f", qualifier: "prod" },
    ],
    [
      [
        { Name: "Resource", Value: "f:prod" },
        { Name: "FunctionName", Value: "f" },
        { Name: "ExecutedVersion", Value: "3" },
      ],
      { functionName: "f", qualifier: "prod", executedVersion: "3" },
    ],
    [[{ Name: "Resource", Value: "f:prod" }], undefined],
    [
      [
        { Name: "FunctionName", Value: "f" },
        { Name: "Resource", Value: "g:prod" },
      ],
      undefined,
    ],
    [
      [
        { Name: "FunctionName", Value: "f" },
        { Name: "ExecutedVersion", Value: "1" },
      ],
      undefined,
    ],
    [[{ Name: "InstanceId", Value: "i-1" }], undefined],
  ])("%j names %j", (dims, key) => {
    expect(seriesOf(dims)).toEqual(key);
    if (key) expect(seriesOf(dimensionsOf(key))).toEqual(key);
  });

  it("refuses a dimension given twice", () => {
    const d = { Name: "FunctionName", Value: "f" };
    expect(() => seriesOf([d, d])).toThrow(/twice/);
  });
});

describe("counter aggregation", () => {
  it("sums observations per series and minute", () => {
    const base = { accountId: "1", functionName: "f", metric: "AsyncEventAge" as const };
    const rows = aggregate([
      { ...base, value: 10, at: 60_000 },
      { ...base, value: 30, at: 119_999 },
      { ...base, value: 5, at: 120_000 },
      { ...base, resource: "prod", value: 7, at: 60_000 },
    ]);
    expect(rows).toEqual([
      { ...base, resource: "", minute: 60_000, sum: 40, count: 2, min: 10, max: 30 },
      { ...base, resource: "", minute: 120_000, sum: 5, count: 1, min: 5, max: 5 },
      { ...base, resource: "prod", minute: 60_000, sum: 7, count: 1, min: 7, max: 7 },
    ]);
  });
});
