import { describe, expect, it } from "vitest";
import { dueJobs, judgeStall, type QueueCounts, type StallObservation } from "./worker-stall.js";

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

/** A queue that answers the reads dueJobs makes, and records the delayed cutoff it was asked for. */
function fakeQueue(q: {
  wait?: number;
  prioritized?: number;
  delayedDue?: number;
  paused?: boolean;
  limitTtl?: number;
  maxed?: boolean;
}) {
  const cutoffs: (number | undefined)[] = [];
  const queue = {
    getJobCounts: async () => ({ wait: q.wait ?? 0, prioritized: q.prioritized ?? 0 }),
    getDelayedCount: async (ts?: number) => {
      cutoffs.push(ts);
      return q.delayedDue ?? 0;
    },
    isPaused: async () => q.paused ?? false,
    getRateLimitTtl: async () => q.limitTtl ?? -2,
    isMaxed: async () => q.maxed ?? false,
  };
  return { queue: queue as unknown as QueueCounts, cutoffs };
}

describe("dueJobs", () => {
  it.each<[string, Parameters<typeof fakeQueue>[0], number]>([
    ["an empty queue", {}, 0],
    ["waiting, prioritized and due delayed jobs", { wait: 2, prioritized: 1, delayedDue: 4 }, 7],
    ["only delayed jobs whose time has come (a stuck worker never promotes them)", { delayedDue: 2 }, 2],
    ["a paused queue hands out nothing", { wait: 5, paused: true }, 0],
    ["a rate-limited queue hands out nothing", { wait: 5, limitTtl: 800 }, 0],
    ["an expired rate limit (-2: no key) does not count", { wait: 5, limitTtl: -2 }, 5],
    ["a queue at its global concurrency hands out nothing", { wait: 5, maxed: true }, 0],
  ])("%s", async (_, q, due) => {
    const { queue, cutoffs } = fakeQueue(q);
    expect(await dueJobs(queue, 1_700_000_000_123.4)).toBe(due);
    // Delayed jobs count only once due: those scheduled before now.
    expect(cutoffs).toEqual([1_700_000_000_123]);
  });
});
