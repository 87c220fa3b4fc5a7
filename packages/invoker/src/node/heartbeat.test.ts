import { nodeRegistry } from "@stratus/shared";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type HeartbeatRedis, startHeartbeat } from "./heartbeat.js";

/** Enough of ioredis for a heartbeat: a beat's script that records the scores written, or fails while `down`. */
function fakeRedis() {
  const state = { down: false, beats: [] as number[] };
  const redis = {
    async eval(_script: string, _keys: number, ...args: (string | number)[]) {
      if (state.down) throw new Error("Connection is closed.");
      // infoKey, heartbeatsKey, id, json, at
      state.beats.push(Number(args[4]));
      return 1;
    },
    multi() {
      const chain = { zrem: () => chain, hdel: () => chain, exec: async () => [] };
      return chain;
    },
  };
  return { redis: redis as unknown as HeartbeatRedis, state };
}

const info = { id: "n1", url: "http://127.0.0.1:1", capacityMb: 512, draining: false };
const last = (beats: number[]) => beats[beats.length - 1] as number;

afterEach(() => {
  vi.useRealTimers();
});

describe("a heartbeat's silences", () => {
  it("judges no call placed while it beats on time", async () => {
    vi.useFakeTimers();
    const { redis, state } = fakeRedis();
    const heartbeat = await startHeartbeat(redis, info, { warn: vi.fn() });
    const first = last(state.beats);
    await vi.advanceTimersByTimeAsync(10 * nodeRegistry.staleAfterMs);
    expect(heartbeat.silentSince(first)).toBe(false);
    await heartbeat.stop();
  });

  it("counts a call placed before Redis was out of reach for the staleness window, not one placed after", async () => {
    vi.useFakeTimers();
    const { redis, state } = fakeRedis();
    const log = { warn: vi.fn() };
    const heartbeat = await startHeartbeat(redis, info, log);
    const before = last(state.beats);
    state.down = true;
    await vi.advanceTimersByTimeAsync(nodeRegistry.staleAfterMs);
    expect(heartbeat.silentSince(before)).toBe(false);
    await vi.advanceTimersByTimeAsync(nodeRegistry.heartbeatIntervalMs);
    // Silent now: nothing placed by any beat so far may start.
    expect(heartbeat.silentSince(before)).toBe(true);
    state.down = false;
    await vi.advanceTimersByTimeAsync(nodeRegistry.heartbeatIntervalMs);
    const back = last(state.beats);
    expect(heartbeat.silentSince(before)).toBe(true);
    expect(heartbeat.silentSince(back)).toBe(false);
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining("back after"));
    await heartbeat.stop();
  });

  it("counts a call placed before a freeze even once the first beat after it has landed", async () => {
    vi.useFakeTimers();
    const { redis, state } = fakeRedis();
    const onBack = vi.fn();
    const heartbeat = await startHeartbeat(redis, info, { warn: vi.fn() }, Date.now, onBack);
    const before = last(state.beats);
    // The process was stopped: the clock moved on, no timer ran.
    vi.setSystemTime(Date.now() + 30_000);
    expect(heartbeat.silentSince(before)).toBe(true);
    await vi.advanceTimersByTimeAsync(nodeRegistry.heartbeatIntervalMs);
    expect(heartbeat.silentSince(before)).toBe(true);
    expect(heartbeat.silentSince(last(state.beats))).toBe(false);
    // Told once, with the whole silence (the node may have looked dead to its peers).
    expect(onBack).toHaveBeenCalledTimes(1);
    expect(onBack.mock.calls[0]?.[0]).toBeGreaterThanOrEqual(30_000);
    await vi.advanceTimersByTimeAsync(5 * nodeRegistry.heartbeatIntervalMs);
    expect(onBack).toHaveBeenCalledTimes(1);
    await heartbeat.stop();
  });
});
