import { describe, expect, it } from "vitest";
import { type Life, type LifeEvent, type LifeEventType, type LifeState, poolState, transition } from "./lifecycle.js";

const crashed = { errorType: "Runtime.Crash", errorMessage: "it fell over" };
const startEnv = { LANG: "C.UTF-8" };

/** One life in each state. */
const lives: Record<LifeState, Life> = {
  starting: { state: "starting" },
  stem: { state: "stem", runtime: "nodejs20.x", startEnv },
  specialising: { state: "specialising" },
  claimed: { state: "claimed" },
  idle: { state: "idle" },
  delivering: { state: "delivering" },
  running: { state: "running" },
  answered: { state: "answered" },
  exited: { state: "exited", exitCode: 2 },
  dead: { state: "dead", cause: "timeout", failure: crashed },
  removing: { state: "removing" },
  gone: { state: "gone" },
};

/** One event of each type. */
const events: Record<LifeEventType, LifeEvent> = {
  parked: { type: "parked", runtime: "python3.11", startEnv },
  specialise: { type: "specialise" },
  claim: { type: "claim" },
  release: { type: "release" },
  invoke: { type: "invoke" },
  delivered: { type: "delivered" },
  answered: { type: "answered" },
  failed: { type: "failed", failure: crashed },
  "init-timeout": { type: "init-timeout" },
  timeout: { type: "timeout", afterMs: 3000 },
  exit: { type: "exit", exitCode: 2 },
  verdict: { type: "verdict", oomKilled: false },
  remove: { type: "remove" },
  removed: { type: "removed" },
};

/** Every edge a container may take, and the state it lands in. */
const allowed: [LifeState, LifeEventType, LifeState][] = [
  ["starting", "parked", "stem"],
  ["starting", "claim", "claimed"],
  ["starting", "exit", "exited"],
  ["starting", "remove", "removing"],
  ["stem", "specialise", "specialising"],
  ["stem", "exit", "removing"],
  ["stem", "remove", "removing"],
  ["specialising", "claim", "claimed"],
  ["specialising", "exit", "exited"],
  ["specialising", "remove", "removing"],
  ["claimed", "invoke", "delivering"],
  ["claimed", "release", "idle"],
  ["claimed", "failed", "dead"],
  ["claimed", "exit", "exited"],
  ["claimed", "remove", "removing"],
  ["idle", "claim", "claimed"],
  ["idle", "failed", "removing"],
  ["idle", "exit", "removing"],
  ["idle", "remove", "removing"],
  ["delivering", "delivered", "running"],
  ["delivering", "init-timeout", "dead"],
  ["delivering", "failed", "dead"],
  ["delivering", "exit", "exited"],
  ["delivering", "remove", "removing"],
  ["running", "answered", "answered"],
  ["running", "timeout", "dead"],
  ["running", "failed", "dead"],
  ["running", "exit", "exited"],
  ["running", "remove", "removing"],
  ["answered", "release", "idle"],
  ["answered", "failed", "dead"],
  ["answered", "exit", "exited"],
  ["answered", "remove", "removing"],
  ["exited", "verdict", "dead"],
  ["exited", "delivered", "exited"],
  ["exited", "answered", "exited"],
  ["exited", "failed", "exited"],
  ["exited", "init-timeout", "exited"],
  ["exited", "timeout", "exited"],
  ["exited", "remove", "removing"],
  ["dead", "exit", "dead"],
  ["dead", "verdict", "dead"],
  ["dead", "remove", "removing"],
  ["removing", "exit", "removing"],
  ["removing", "verdict", "removing"],
  ["removing", "removed", "gone"],
  ["gone", "exit", "gone"],
  ["gone", "verdict", "gone"],
];

const isAllowed = (state: LifeState, event: LifeEventType) => allowed.some(([s, e]) => s === state && e === event);

/** Every other pair of state and event: the whole cross product less the allowed edges. */
const refused = (Object.keys(lives) as LifeState[]).flatMap((state) =>
  (Object.keys(events) as LifeEventType[])
    .filter((event) => !isAllowed(state, event))
    .map((event): [LifeState, LifeEventType] => [state, event]),
);

describe("transition", () => {
  it.each(allowed)("%s --%s--> %s", (from, event, to) => {
    expect(transition(lives[from], events[event]).state).toBe(to);
  });

  it.each(refused)("refuses %s --%s-->", (from, event) => {
    expect(() => transition(lives[from], events[event])).toThrow(`a container cannot take ${event} while ${from}`);
  });

  it("covers the whole cross product", () => {
    expect(allowed.length + refused.length).toBe(Object.keys(lives).length * Object.keys(events).length);
  });

  it("keeps what a state knows: news after a death or an exit is no change at all", () => {
    for (const [from, event, to] of allowed.filter(([s, , t]) => s === t)) {
      expect(transition(lives[from], events[event])).toBe(lives[to]);
    }
  });
});

describe("what a state knows", () => {
  it("a parked stem cell, its runtime and the environment that runtime started with", () => {
    expect(transition(lives.starting, events.parked)).toEqual({ state: "stem", runtime: "python3.11", startEnv });
  });

  it.each<[string, Life, LifeEvent, Life]>([
    [
      "the init limit",
      lives.delivering,
      events["init-timeout"],
      {
        state: "dead",
        cause: "init-timeout",
        failure: { errorType: "Runtime.InitTimeout", errorMessage: "Init phase timed out" },
      },
    ],
    [
      "the function's timeout",
      lives.running,
      { type: "timeout", afterMs: 1500 },
      {
        state: "dead",
        cause: "timeout",
        failure: { errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 1.50 seconds" },
      },
    ],
    ["the runtime's own report", lives.delivering, events.failed, { state: "dead", cause: "failed", failure: crashed }],
    [
      "an exit the engine says was an OOM kill",
      { state: "exited", exitCode: 137 },
      { type: "verdict", oomKilled: true },
      {
        state: "dead",
        cause: "oom",
        failure: { errorType: "Runtime.OutOfMemory", errorMessage: "Runtime exited with error: signal: killed" },
      },
    ],
    [
      "an exit the engine says was none",
      { state: "exited", exitCode: 137 },
      { type: "verdict", oomKilled: false },
      {
        state: "dead",
        cause: "crash",
        failure: { errorType: "Runtime.ExitError", errorMessage: "Runtime exited with error: exit status 137" },
      },
    ],
  ])("a death by %s, and what an invocation in flight answers", (_name, from, event, to) => {
    expect(transition(from, event)).toEqual(to);
  });

  it("an exit, and its code until the engine has told more", () => {
    expect(transition(lives.running, { type: "exit", exitCode: 9 })).toEqual({ state: "exited", exitCode: 9 });
  });
});

describe("poolState", () => {
  it.each<[LifeState, string]>([
    ["starting", "starting"],
    ["stem", "stem"],
    ["specialising", "busy"],
    ["claimed", "busy"],
    ["idle", "idle"],
    ["delivering", "busy"],
    ["running", "busy"],
    ["answered", "busy"],
    ["exited", "busy"],
    ["dead", "busy"],
    ["removing", "removing"],
    ["gone", "removing"],
  ])("%s counts as %s", (state, coarse) => {
    expect(poolState(lives[state])).toBe(coarse);
  });
});

describe("an image whose entrypoint never asked for work", () => {
  it("dies with Runtime.InvalidEntrypoint on a plain exit, and of OOM on an OOM kill", () => {
    const exited = transition({ state: "delivering" }, { type: "exit", exitCode: 0, noRuntimeClient: true });
    expect(transition(exited, { type: "verdict", oomKilled: false })).toMatchObject({
      state: "dead",
      failure: { errorType: "Runtime.InvalidEntrypoint" },
    });
    expect(transition(exited, { type: "verdict", oomKilled: true })).toMatchObject({ cause: "oom" });
    const plain = transition({ state: "delivering" }, { type: "exit", exitCode: 1 });
    expect(transition(plain, { type: "verdict", oomKilled: false })).toMatchObject({
      failure: { errorType: "Runtime.ExitError" },
    });
  });
});
