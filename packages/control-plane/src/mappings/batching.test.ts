import { describe, expect, it } from "vitest";
import { afterFailure, backoffMs, batchDecision, chunk } from "./batching.js";

const limits = { batchSize: 10, windowMs: 500, maxBytes: 1000 };

describe("batchDecision", () => {
  it.each([
    ["nothing gathered", { count: 0, bytes: 0 }, 0, { send: false, waitMs: Number.POSITIVE_INFINITY }],
    ["batch size reached", { count: 10, bytes: 10, firstAt: 100 }, 100, { send: true }],
    ["bytes reached", { count: 2, bytes: 1000, firstAt: 100 }, 100, { send: true }],
    ["window running", { count: 2, bytes: 10, firstAt: 100 }, 300, { send: false, waitMs: 300 }],
    ["window over", { count: 2, bytes: 10, firstAt: 100 }, 600, { send: true }],
  ])("%s", (_what, g, now, expected) => {
    expect(batchDecision(g, limits, now)).toEqual(expected);
  });

  it("a zero window sends what is there at once", () => {
    expect(batchDecision({ count: 1, bytes: 1, firstAt: 5 }, { ...limits, windowMs: 0 }, 5)).toEqual({ send: true });
  });
});

const r = (size: number, suspect = false) => ({ size, suspect });

describe("chunk", () => {
  it.each([
    ["all fit", [r(100), r(100), r(100)], [[0, 1, 2]]],
    ["split at the limit", [r(400), r(400), r(400)], [[0, 1], [2]]],
    ["exactly at the limit", [r(450), r(450)], [[0, 1]]],
    ["a record too large alone", [r(100), r(5000), r(100)], [[0], [1], [2]]],
    ["a suspect goes alone, order kept", [r(10), r(10, true), r(10), r(10)], [[0], [1], [2, 3]]],
    ["nothing", [], []],
  ])("%s", (_what, records, expected) => {
    expect(chunk(records, 1000, 100)).toEqual(expected);
  });
});

describe("afterFailure", () => {
  it.each([
    ["in a batch: requeued as a suspect, uncounted", 0, false, 2, "retry", 0],
    ["alone, first failure", 0, true, 2, "retry", 1],
    ["alone, last retry", 1, true, 2, "retry", 2],
    ["alone, retries spent", 2, true, 2, "give-up", 3],
    ["no retries: given up on its first lone failure", 0, true, 0, "give-up", 1],
  ])("%s", (_what, failures, alone, max, verdict, after) => {
    expect(afterFailure(failures, alone, max)).toEqual({ verdict, soloFailures: after });
  });
});

describe("backoffMs", () => {
  it.each([
    [0, 0],
    [1, 100],
    [2, 200],
    [4, 800],
    [5, 1000],
    [60, 1000],
  ])("attempt %d waits %d ms", (attempt, ms) => {
    expect(backoffMs(attempt, { baseMs: 100, capMs: 1000 })).toBe(ms);
  });
});
