import { afterEach, describe, expect, it, vi } from "vitest";
import { JobOverdueError, startDeadline } from "./job-deadline.js";

afterEach(() => {
  vi.useRealTimers();
});

/** Whether `p` has rejected by now, and with what. */
function watch(p: Promise<unknown>) {
  const seen: { error?: unknown } = {};
  p.catch((err: unknown) => {
    seen.error = err;
  });
  return seen;
}

describe("startDeadline", () => {
  it("passes once the job has run its bound, and aborts its signal with the same error", async () => {
    vi.useFakeTimers();
    const deadline = startDeadline(3_000);
    const seen = watch(deadline.passed);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(seen.error).toBeUndefined();
    expect(deadline.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.error).toBeInstanceOf(JobOverdueError);
    expect(deadline.signal.reason).toBe(seen.error);
  });

  it("counts each new bound from when it is given: a step's, then a node's answer and a step, then a step", async () => {
    vi.useFakeTimers();
    const deadline = startDeadline(3_000);
    const seen = watch(deadline.passed);
    await vi.advanceTimersByTimeAsync(2_000);
    // The call goes to a node, which has 33 s to answer; then a step more.
    deadline.allow(33_000 + 3_000);
    await vi.advanceTimersByTimeAsync(35_000);
    expect(seen.error).toBeUndefined();
    // It answered: the last steps get the step's bound again, from now.
    deadline.allow(3_000);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(seen.error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.error).toBeInstanceOf(JobOverdueError);
  });

  it("never passes once cleared (the job ended)", async () => {
    vi.useFakeTimers();
    const deadline = startDeadline(3_000);
    const seen = watch(deadline.passed);
    deadline.clear();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen.error).toBeUndefined();
    expect(deadline.signal.aborted).toBe(false);
  });

  it("stays passed: a bound given later does not revive it", async () => {
    vi.useFakeTimers();
    const deadline = startDeadline(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    deadline.allow(60_000);
    expect(deadline.signal.aborted).toBe(true);
    await expect(deadline.passed).rejects.toBeInstanceOf(JobOverdueError);
  });
});
