import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CATCH_UP_LIMIT_MS, DockerOomTally } from "./docker-oom-tally.js";

type Options = Docker.GetEventsOptions;

/** One "oom" event of container `id` at `at` ns, as the engine streams it. */
const oom = (id: string, at: number) =>
  `${JSON.stringify({ status: "oom", id, Type: "container", Action: "oom", timeNano: at })}\n`;

/** The engine's events API: each call gets the next stream the test hands out, or fails. */
function fakeEngine() {
  const calls: Options[] = [];
  const streams: (PassThrough | Error)[] = [];
  const docker = {
    getEvents: async (opts: Options) => {
      calls.push(opts);
      const next = streams.shift();
      if (next === undefined) throw new Error("no stream prepared");
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as Pick<Docker, "getEvents">;
  /** Prepares the next stream, with `events` already in it; `end`: it ends after them (a replay up to a time). */
  const serve = (events: { id: string; at: number }[], end: boolean) => {
    const s = new PassThrough();
    for (const e of events) s.write(oom(e.id, e.at));
    if (end) s.end();
    streams.push(s);
    return s;
  };
  const fail = () => streams.push(new Error("events refused"));
  return { docker, calls, serve, fail };
}

let tally: DockerOomTally | undefined;
afterEach(() => {
  tally?.close();
  vi.useRealTimers();
});

describe("DockerOomTally", () => {
  it("counts the kept events of its containers, then new ones, and no one else's", async () => {
    const engine = fakeEngine();
    engine.serve(
      [
        { id: "a", at: 1 },
        { id: "stranger", at: 2 },
      ],
      true,
    );
    const live = engine.serve([], false);
    tally = new DockerOomTally(engine.docker, 5_000);
    tally.track("a");
    tally.track("b");
    expect(await tally.kills("a")).toBe(1);
    expect(await tally.kills("b")).toBe(0);
    expect(engine.calls[0]).toMatchObject({ since: 5, filters: { type: ["container"], event: ["oom"] } });
    expect(engine.calls[0]?.until).toBeGreaterThan(5);
    // The live stream starts where the replay ended.
    expect(engine.calls[1]?.since).toBe(engine.calls[0]?.until);
    expect(engine.calls[1]?.until).toBeUndefined();
    // An event split across chunks, and one of the replay seen again, counted once.
    const line = oom("b", 3);
    live.write(line.slice(0, 10));
    live.write(line.slice(10) + oom("a", 1) + oom("a", 4));
    await new Promise((r) => setTimeout(r, 5));
    expect(await tally.kills("a")).toBe(2);
    expect(await tally.kills("b")).toBe(1);
    tally.forget("a");
    live.write(oom("a", 5));
    expect(await tally.kills("a")).toBe(0);
  });

  it("cannot tell while the engine refuses its events, and can once they flow again, counting what it missed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const engine = fakeEngine();
    engine.fail();
    tally = new DockerOomTally(engine.docker, 5_000);
    tally.track("a");
    expect(await tally.kills("a")).toBeUndefined();
    engine.serve([{ id: "a", at: 1 }], true);
    engine.serve([], false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await tally.kills("a")).toBe(1);
    // Reopened from where the first try began: nothing before it is missed.
    expect(engine.calls[1]?.since).toBe(5);
  });

  it("cannot tell once its stream breaks, and reopens it from a little before the break", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    vi.setSystemTime(100_000);
    const engine = fakeEngine();
    engine.serve([], true);
    const live = engine.serve([], false);
    tally = new DockerOomTally(engine.docker, 5_000);
    tally.track("a");
    expect(await tally.kills("a")).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    live.end(oom("a", 7));
    await vi.advanceTimersByTimeAsync(0);
    expect(await tally.kills("a")).toBeUndefined();
    // The replay since the break holds the event the broken stream gave already, and one it missed.
    engine.serve(
      [
        { id: "a", at: 7 },
        { id: "a", at: 8 },
      ],
      true,
    );
    engine.serve([], false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await tally.kills("a")).toBe(2);
    expect(engine.calls[2]?.since).toBe(109);
  });

  it("cannot tell when the kept events take too long to read", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const engine = fakeEngine();
    const slow = engine.serve([], false); // never ends
    tally = new DockerOomTally(engine.docker);
    tally.track("a");
    const answer = tally.kills("a");
    await vi.advanceTimersByTimeAsync(CATCH_UP_LIMIT_MS);
    expect(await answer).toBeUndefined();
    slow.end();
  });
});
