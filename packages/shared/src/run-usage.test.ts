import { describe, expect, it } from "vitest";
import { billedMs, formatRunUsage, gbSeconds, parseRunUsage, type RunUsage } from "./run-usage.js";

describe("billedMs", () => {
  it.each([
    [0, 0, 1],
    [0.2, 0, 1],
    [1, 0, 1],
    [1.001, 0, 2],
    [1.0000004, 0, 1],
    [102.25, 0, 103],
    [100.1, 0.2, 101],
    [100.5, 250.5, 351],
    [3000, 0, 3000],
    [10.4, 89.7, 101],
  ])("duration %f ms + init %f ms bills %i ms", (d, i, want) => expect(billedMs(d, i)).toBe(want));
});

describe("gbSeconds", () => {
  it.each([
    [128, 1000, 0.125],
    [512, 2000, 1],
    [1024, 1, 0.001],
    [10240, 900_000, 9000],
  ])("%i MB for %i ms is %f GB-s", (m, b, want) => expect(gbSeconds(m, b)).toBeCloseTo(want, 12));
});

describe("run usage header", () => {
  const u: RunUsage = {
    outcome: "timeout",
    durationMs: 3000.123456,
    initMs: 150.5,
    billedMs: 3151,
    memoryMb: 512,
    cold: true,
  };

  it("round-trips, to the microsecond", () => {
    expect(formatRunUsage(u)).toBe("o=timeout;d=3000.123;i=150.5;b=3151;m=512;c=1");
    expect(parseRunUsage(formatRunUsage(u))).toEqual({ ...u, durationMs: 3000.123 });
  });

  it.each([
    [undefined],
    [""],
    ["o=nope;d=1;i=0;b=1;m=128;c=0"],
    ["o=success;d=-1;i=0;b=1;m=128;c=0"],
    ["o=success;d=1;i=0;b=1.5;m=128;c=0"],
    ["o=success;d=1;i=0;m=128;c=0"],
    [["o=success;d=1;i=0;b=1;m=128;c=0", "x"]],
  ])("refuses %j", (v) => expect(parseRunUsage(v)).toBeUndefined());
});
