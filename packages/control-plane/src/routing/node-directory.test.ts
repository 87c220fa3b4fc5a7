import { nodeRegistry } from "@stratus/shared";
import type { Redis } from "ioredis";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRedisNodeDirectory } from "./node-directory.js";

/** A registry in memory whose reads take `readMs` of the fake clock. */
function fakeRegistry(clock: { now: number }, readMs: number) {
  const nodes = new Map<string, { beat: number; draining: boolean }>();
  let reads = 0;
  let failing = false;
  const redis = {
    async zrangebyscore() {
      reads++;
      if (failing) throw new Error("connection lost");
      const flat = [...nodes].flatMap(([id, n]) => [id, String(n.beat)]);
      clock.now += readMs;
      return flat;
    },
    async hmget(_key: string, ...ids: string[]) {
      return ids.map((id) =>
        JSON.stringify({ id, url: `http://127.0.0.1:1/${id}`, capacityMb: 512, draining: nodes.get(id)?.draining }),
      );
    },
  } as unknown as Redis;
  return {
    redis,
    nodes,
    reads: () => reads,
    fail: (on: boolean) => {
      failing = on;
    },
  };
}

/** A directory of node "a" that reads again every 250 ms (cache 500), on fake timers and clock. */
function refreshing() {
  vi.useFakeTimers();
  const clock = { now: 1_000_000 };
  const reg = fakeRegistry(clock, 0);
  reg.nodes.set("a", { beat: clock.now, draining: false });
  const dir = createRedisNodeDirectory(reg.redis, 500, () => clock.now, 250);
  return { clock, reg, dir };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("node directory", () => {
  it("uses a list no longer than the cache after Redis had it, counted from the start of its read", async () => {
    const clock = { now: 1_000_000 };
    const reg = fakeRegistry(clock, 200);
    reg.nodes.set("a", { beat: clock.now, draining: false });
    const dir = createRedisNodeDirectory(reg.redis, nodeRegistry.listCacheMs, () => clock.now);

    const readAt = clock.now;
    expect((await dir.liveNodes()).map((n) => n.draining)).toEqual([false]);
    reg.nodes.set("a", { beat: clock.now, draining: true });
    // Still within the cache as counted from the read's start: the same list.
    clock.now = readAt + nodeRegistry.listCacheMs - 1;
    expect((await dir.liveNodes())[0]?.draining).toBe(false);
    expect(reg.reads()).toBe(1);
    // Counted from the read's end (200 ms later) the list would still be used; it is not.
    clock.now = readAt + nodeRegistry.listCacheMs;
    expect((await dir.liveNodes())[0]?.draining).toBe(true);
    expect(reg.reads()).toBe(2);
  });

  it("shares one read between concurrent callers", async () => {
    const clock = { now: 1_000_000 };
    const reg = fakeRegistry(clock, 0);
    reg.nodes.set("a", { beat: clock.now, draining: false });
    const dir = createRedisNodeDirectory(reg.redis, 500, () => clock.now);
    const lists = await Promise.all([dir.liveNodes(), dir.liveNodes(), dir.liveNodes()]);
    expect(lists.map((l) => l.length)).toEqual([1, 1, 1]);
    expect(reg.reads()).toBe(1);
  });

  it("reads the list again in the background, so that a call after a quiet spell waits for no read", async () => {
    const { clock, reg, dir } = refreshing();
    await vi.advanceTimersByTimeAsync(250);
    expect(reg.reads()).toBe(1);
    reg.nodes.set("a", { beat: clock.now, draining: true });
    clock.now += 250;
    await vi.advanceTimersByTimeAsync(250);
    expect(reg.reads()).toBe(2);
    // 600 ms after the first read, 350 after the second: the background read's list, no read of its own.
    clock.now += 350;
    expect((await dir.liveNodes())[0]?.draining).toBe(true);
    expect(reg.reads()).toBe(2);
    dir.close();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reg.reads()).toBe(2);
  });

  it("learns of a failed background read only once its list has expired, by reading itself", async () => {
    const { clock, reg, dir } = refreshing();
    expect(await dir.liveNodes()).toHaveLength(1);
    reg.fail(true);
    clock.now += 250;
    await vi.advanceTimersByTimeAsync(250);
    // The last good list, while it is fresh.
    clock.now += 100;
    expect(await dir.liveNodes()).toHaveLength(1);
    clock.now += 200;
    await expect(dir.liveNodes()).rejects.toThrow(/registry is unavailable/);
    dir.close();
  });

  it("keeps no empty list: the first node to register is found by the next call", async () => {
    vi.useFakeTimers();
    const clock = { now: 1_000_000 };
    const reg = fakeRegistry(clock, 0);
    const dir = createRedisNodeDirectory(reg.redis, 500, () => clock.now, 250);
    await vi.advanceTimersByTimeAsync(250);
    expect(reg.reads()).toBe(1);
    reg.nodes.set("a", { beat: clock.now, draining: false });
    expect(await dir.liveNodes()).toHaveLength(1);
    dir.close();
  });

  it("keeps the cache within the notice a draining node gives", () => {
    expect(nodeRegistry.listCacheMs).toBeLessThan(nodeRegistry.drainNoticeMs);
  });
});
