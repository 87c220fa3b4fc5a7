import { describe, expect, it } from "vitest";
import { dueJobs, isLiveState, type QueueCounts } from "./bullmq-queue.js";

describe("isLiveState", () => {
  it.each<[string, boolean]>([
    ["waiting", true],
    ["prioritized", true],
    ["active", true],
    ["delayed", true],
    ["waiting-children", true],
    ["unknown", false],
    ["completed", false],
    ["failed", false],
  ])("a job %s will still run its invocation: %s", (state, live) => {
    expect(isLiveState(state)).toBe(live);
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
