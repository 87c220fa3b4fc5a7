import { afterEach, describe, expect, it, vi } from "vitest";
import { startRepeating } from "./repeating.js";

describe("startRepeating", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("runs the first round after firstAfterMs and the next intervalMs after a round ends, failed or not", async () => {
    vi.useFakeTimers();
    const errors: string[] = [];
    let rounds = 0;
    const loop = startRepeating(
      async () => {
        rounds += 1;
        if (rounds === 2) throw new Error("boom");
      },
      { intervalMs: 1000, firstAfterMs: 50, onError: (err) => errors.push(err.message) },
    );
    await vi.advanceTimersByTimeAsync(49);
    expect(rounds).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(rounds).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(rounds).toBe(3);
    expect(errors).toEqual(["boom"]);
    await loop.stop();
    expect(loop.stopped()).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(rounds).toBe(3);
  });

  it("stop() waits out the round in hand and starts no other", async () => {
    let finish = () => {};
    let rounds = 0;
    const loop = startRepeating(
      () => {
        rounds += 1;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
      { intervalMs: 0, onError: () => {} },
    );
    await vi.waitFor(() => expect(rounds).toBe(1));
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await new Promise((r) => setTimeout(r, 5));
    expect(rounds).toBe(1);
  });

  it("leaves its timer referenced unless asked to unref it", async () => {
    const timeouts = vi.spyOn(globalThis, "setTimeout");
    const kept = startRepeating(async () => {}, { intervalMs: 60_000, firstAfterMs: 60_000, onError: () => {} });
    const unrefd = startRepeating(async () => {}, {
      intervalMs: 60_000,
      firstAfterMs: 60_000,
      onError: () => {},
      unref: true,
    });
    const [first, second] = timeouts.mock.results.map((r) => r.value as NodeJS.Timeout);
    expect(first?.hasRef()).toBe(true);
    expect(second?.hasRef()).toBe(false);
    await kept.stop();
    await unrefd.stop();
  });
});
