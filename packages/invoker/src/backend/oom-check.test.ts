import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { checkOomKilled, OOM_CHECK_LIMIT_MS, OOM_EVENT_GRACE_MS, type OomEvents } from "./oom-check.js";

/**
 * An engine's event stream as Docker serves it: a query replays the recorded events
 * from `since` on, then passes on new ones until `until`.
 */
class FakeEvents {
  private readonly past: { id: string; at: number }[] = [];
  private readonly listeners = new Set<(id: string) => void>();
  queries = 0;

  oom(id: string): void {
    this.past.push({ id, at: Date.now() });
    for (const l of [...this.listeners]) l(id);
  }

  of(id: string): OomEvents {
    return (since, until, signal) => {
      this.queries++;
      return new Promise((resolve) => {
        if (this.past.some((e) => e.id === id && e.at >= since)) return resolve(true);
        const done = (seen: boolean) => {
          clearTimeout(timer);
          this.listeners.delete(listener);
          resolve(seen);
        };
        const listener = (oomId: string) => oomId === id && done(true);
        const timer = setTimeout(() => done(false), until - Date.now());
        this.listeners.add(listener);
        signal.addEventListener("abort", () => done(false));
      });
    };
  }
}

let events: FakeEvents;
const STARTED = 1_000_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: STARTED });
  events = new FakeEvents();
});

afterEach(() => {
  vi.useRealTimers();
});

/** The check of container `id`, stopped with `exitCode`, whose flag reads `flag`. */
function check(id: string, exitCode: number, flag = false, stoppedByUs = false) {
  const inspect = async () => ({ oomKilledFlag: flag, startedAtMs: STARTED });
  return checkOomKilled({ exitCode, stoppedByUs }, { inspect, events: events.of(id) });
}

/** Settles `p` while advancing fake time by at most `ms`; undefined if it is still pending then. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let value: T | undefined;
  void p.then((v) => {
    value = v;
  });
  await vi.advanceTimersByTimeAsync(ms);
  return value;
}

describe("checkOomKilled", () => {
  it("believes the engine's flag without asking for events (the OOM signal came before the exit)", async () => {
    expect(await check("c1", 137, true)).toBe(true);
    expect(events.queries).toBe(0);
  });

  it("finds an oom event the engine already has, though the flag missed it", async () => {
    vi.advanceTimersByTime(500);
    events.oom("c1");
    vi.advanceTimersByTime(5);
    expect(await check("c1", 137)).toBe(true);
  });

  it("waits for an oom event that follows the exit (the exit came first) and answers when it comes", async () => {
    const verdict = check("c1", 137);
    expect(await within(verdict, 100)).toBeUndefined();
    events.oom("c1");
    expect(await within(verdict, 0)).toBe(true);
  });

  it("calls a SIGKILL exit without any oom event an ordinary exit once the grace has passed", async () => {
    const verdict = check("c1", 137);
    expect(await within(verdict, OOM_EVENT_GRACE_MS - 1)).toBeUndefined();
    expect(await within(verdict, 1)).toBe(false);
  });

  it("ignores an oom event that comes after the grace, and another container's", async () => {
    const verdict = check("c1", 137);
    events.oom("c2");
    expect(await within(verdict, OOM_EVENT_GRACE_MS)).toBe(false);
    events.oom("c1");
    expect(await verdict).toBe(false);
  });

  it.each([
    ["another exit status", 1, false],
    ["a SIGKILL of our own (removal)", 137, true],
  ])("does not look for oom events after %s", async (_what, exitCode, stoppedByUs) => {
    events.oom("c1");
    expect(await check("c1", exitCode, false, stoppedByUs)).toBe(false);
    expect(events.queries).toBe(0);
  });

  it("answers no OOM when the engine never answers, and stops asking", async () => {
    let aborted = false;
    const stuck: OomEvents = (_since, _until, signal) => {
      signal.addEventListener("abort", () => {
        aborted = true;
      });
      return new Promise(() => undefined);
    };
    const verdict = checkOomKilled(
      { exitCode: 137, stoppedByUs: false },
      { inspect: async () => ({ oomKilledFlag: false, startedAtMs: STARTED }), events: stuck },
    );
    expect(await within(verdict, OOM_CHECK_LIMIT_MS)).toBe(false);
    expect(aborted).toBe(true);
  });

  it("answers no OOM when inspect hangs or fails", async () => {
    const hangs = checkOomKilled(
      { exitCode: 137, stoppedByUs: false },
      { inspect: () => new Promise(() => undefined), events: events.of("c1") },
    );
    expect(await within(hangs, OOM_CHECK_LIMIT_MS)).toBe(false);
    const fails = checkOomKilled(
      { exitCode: 137, stoppedByUs: false },
      { inspect: () => Promise.reject(new Error("no such container")), events: events.of("c1") },
    );
    expect(await fails).toBe(false);
  });
});
