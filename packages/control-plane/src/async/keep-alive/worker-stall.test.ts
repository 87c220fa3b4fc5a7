import { describe, expect, it } from "vitest";
import { judgeStall, type StallObservation } from "./worker-stall.js";

const STALL = 10_000;
const base: StallObservation = { now: 100_000, due: 3, busy: 0, concurrency: 4, lastActivityAt: 0 };

describe("judgeStall", () => {
  it.each<[string, number | undefined, Partial<StallObservation>, boolean, number | undefined]>([
    ["nothing due: no run", 50_000, { due: 0 }, false, undefined],
    ["busy at full concurrency: no run", 50_000, { busy: 4 }, false, undefined],
    ["over full concurrency (a job finishing as the next starts): no run", 50_000, { busy: 5 }, false, undefined],
    ["first sight of due jobs after a long idle time: a run starts, not a verdict", undefined, {}, false, 100_000],
    ["due for less than the stall time", 95_000, {}, false, 95_000],
    ["due for the stall time, nothing started: stalled", 90_000, {}, true, 90_000],
    ["due for longer, but a job started meanwhile", 80_000, { lastActivityAt: 95_000 }, false, 80_000],
    [
      "a job finished (freeing a slot) a stall time ago, none started since",
      80_000,
      { lastActivityAt: 90_000 },
      true,
      80_000,
    ],
    [
      "one slot free of four, running jobs, nothing new started",
      80_000,
      { busy: 3, lastActivityAt: 85_000 },
      true,
      80_000,
    ],
  ])("%s", (_, since, o, stalled, nextSince) => {
    expect(judgeStall(since, { ...base, ...o }, STALL)).toEqual({ since: nextSince, stalled });
  });
});
