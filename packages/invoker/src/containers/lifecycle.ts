// A container's life as one state machine. What happens to a container arrives as
// an event (from the pool and the stem keeper, its invocation's timers, its runtime's
// session, the engine's exit watcher) and transition() moves it along the edges
// listed in EDGES, refusing every other; what a state knows lives in its member.
//
//   starting ──parked──► stem ──specialise──► specialising ──claim──► claimed
//   starting ──claim──► claimed ──invoke──► delivering ──delivered──► running ──answered──► answered
//   idle ──claim──► claimed          answered|claimed ──release──► idle
//   delivering|running ──init-timeout|timeout|failed──► dead      any ──exit──► exited ──verdict──► dead
//   any ──remove──► removing ──removed──► gone
import type { FunctionFailure } from "../runtime-api/session.js";
import type { ContainerState } from "./decisions.js";

/** Why a container's runtime serves no more. */
export type DeathCause = "init-timeout" | "timeout" | "failed" | "oom" | "crash";

export type Life =
  /** Being created and started, for a function or as a stem cell. */
  | { state: "starting" }
  /** A stem cell whose runtime waits for an identity, having started with `startEnv` (unknown: undefined). */
  | { state: "stem"; runtime: string; startEnv: Readonly<Record<string, string>> | undefined }
  /** A stem cell being given a function's code, cap and identity. */
  | { state: "specialising" }
  /** Ready for an invocation that has yet to hand its event over. */
  | { state: "claimed" }
  /** Warm, waiting for an invocation of its function. */
  | { state: "idle" }
  /** The event is with the session; the runtime has yet to take it (the init limit runs). */
  | { state: "delivering" }
  /** The runtime has taken the event (the function's timeout runs). */
  | { state: "running" }
  /** The runtime answered; the invocation is being finished (its log, a look for OOM kills). */
  | { state: "answered" }
  /**
   * The runtime exited; the engine has yet to tell whether it was OOM-killed.
   * `noRuntimeClient`: an image's entrypoint that ended without ever asking the Runtime API for work.
   */
  | { state: "exited"; exitCode: number; noRuntimeClient?: boolean }
  /** The runtime serves no more; `failure` is what an invocation in flight answers. */
  | { state: "dead"; cause: DeathCause; failure: FunctionFailure }
  /** Out of the pool, being deleted. */
  | { state: "removing" }
  | { state: "gone" };

export type LifeState = Life["state"];

export type LifeEvent =
  /** A stem cell's runtime started, with `startEnv`, and waits for an identity. */
  | { type: "parked"; runtime: string; startEnv: Readonly<Record<string, string>> | undefined }
  | { type: "specialise" }
  /** Taken for one invocation: warm, started for it, or specialised for it. */
  | { type: "claim" }
  /** Handed back without an invocation (its caller gave up), or after one. */
  | { type: "release" }
  /** The invocation hands its event to the session. */
  | { type: "invoke" }
  /** The runtime took the event. */
  | { type: "delivered" }
  /** The runtime posted its result. */
  | { type: "answered" }
  /** The runtime reported that it cannot go on (its init failed). */
  | { type: "failed"; failure: FunctionFailure }
  /** The runtime did not take the event within the init limit. */
  | { type: "init-timeout" }
  /** The function ran past its timeout of `afterMs`. */
  | { type: "timeout"; afterMs: number }
  /** The container's process ended (`noRuntimeClient`: see the exited state). */
  | { type: "exit"; exitCode: number; noRuntimeClient?: boolean }
  /** The engine told whether the exit was an OOM kill. */
  | { type: "verdict"; oomKilled: boolean }
  | { type: "remove" }
  | { type: "removed" };

export type LifeEventType = LifeEvent["type"];

type StateOf<S extends LifeState> = Extract<Life, { state: S }>;
type EventOf<E extends LifeEventType> = Extract<LifeEvent, { type: E }>;
type Edges = { [S in LifeState]: { [E in LifeEventType]?: (from: StateOf<S>, event: EventOf<E>) => Life } };

/** The states that know nothing beyond their name. */
type BareState = Exclude<LifeState, "stem" | "exited" | "dead">;

const to = (state: BareState) => (): Life => ({ state });
/** News that changes nothing: the state already says what follows. */
const stays = <L extends Life>(from: L): Life => from;
const dies = (cause: DeathCause, failure: FunctionFailure): Life => ({ state: "dead", cause, failure });
const exits = (_from: Life, { exitCode, noRuntimeClient }: EventOf<"exit">): Life =>
  noRuntimeClient ? { state: "exited", exitCode, noRuntimeClient } : { state: "exited", exitCode };
const fails = (_from: Life, { failure }: EventOf<"failed">): Life => dies("failed", failure);

const EDGES: Edges = {
  starting: {
    parked: (_from, { runtime, startEnv }) => ({ state: "stem", runtime, startEnv }),
    claim: to("claimed"),
    exit: exits,
    remove: to("removing"),
  },
  // Nothing holds a parked or idle container: one whose runtime can serve no more goes at once.
  stem: { specialise: to("specialising"), exit: to("removing"), remove: to("removing") },
  specialising: { claim: to("claimed"), exit: exits, remove: to("removing") },
  claimed: { invoke: to("delivering"), release: to("idle"), failed: fails, exit: exits, remove: to("removing") },
  idle: { claim: to("claimed"), failed: to("removing"), exit: to("removing"), remove: to("removing") },
  delivering: {
    delivered: to("running"),
    "init-timeout": () =>
      dies("init-timeout", { errorType: "Runtime.InitTimeout", errorMessage: "Init phase timed out" }),
    failed: fails,
    exit: exits,
    remove: to("removing"),
  },
  running: {
    answered: to("answered"),
    timeout: (_from, { afterMs }) =>
      dies("timeout", {
        errorType: "Sandbox.Timedout",
        errorMessage: `Task timed out after ${(afterMs / 1000).toFixed(2)} seconds`,
      }),
    failed: fails,
    exit: exits,
    remove: to("removing"),
  },
  // A runtime may answer and then exit or fail: the answer stands, the container goes.
  answered: { release: to("idle"), failed: fails, exit: exits, remove: to("removing") },
  // The exit, not a timer running out or the runtime's last words meanwhile, says why it died.
  exited: {
    verdict: (from, { oomKilled }) =>
      oomKilled
        ? dies("oom", { errorType: "Runtime.OutOfMemory", errorMessage: "Runtime exited with error: signal: killed" })
        : from.noRuntimeClient
          ? dies("crash", {
              errorType: "Runtime.InvalidEntrypoint",
              errorMessage: `Runtime exited with error: exit status ${from.exitCode} before calling the Runtime API: the image's entrypoint must start a Lambda runtime interface client`,
            })
          : dies("crash", {
              errorType: "Runtime.ExitError",
              errorMessage: `Runtime exited with error: exit status ${from.exitCode}`,
            }),
    delivered: stays,
    answered: stays,
    failed: stays,
    "init-timeout": stays,
    timeout: stays,
    remove: to("removing"),
  },
  // Dead, being removed or gone: the exit that follows, and its verdict, change nothing.
  dead: { exit: stays, verdict: stays, remove: to("removing") },
  removing: { exit: stays, verdict: stays, removed: to("gone") },
  gone: { exit: stays, verdict: stays },
};

/** The state `from` moves to on `event`; throws on an edge EDGES does not list. */
export function transition(from: Life, event: LifeEvent): Life {
  const edges = EDGES[from.state] as Partial<Record<LifeEventType, (from: Life, event: LifeEvent) => Life>>;
  const edge = edges[event.type];
  if (!edge) throw new Error(`a container cannot take ${event.type} while ${from.state}`);
  return edge(from, event);
}

/**
 * The pool's coarse view of a life, for its decisions and its gauges: held by a start,
 * an invocation or a death not yet cleared away is busy; gone is as removing (it
 * holds no memory and takes no work).
 */
export function poolState(life: Life): ContainerState {
  switch (life.state) {
    case "starting":
    case "stem":
    case "idle":
    case "removing":
      return life.state;
    case "gone":
      return "removing";
    default:
      return "busy";
  }
}
