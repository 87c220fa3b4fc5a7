// What a state does with an error: retry it after a backoff, hand it to a catcher, or
// fail. A pure function of the state's Retry and Catch fields, the errors it already
// had and a seeded random source (for JitterStrategy FULL), so replays agree.
import type { Json } from "./types.js";

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: "FULL" | "NONE";
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Output?: Json;
  Assign?: Json;
}

export type ErrorDecision = { retry: number; delayMs: number } | { catch: number } | { fail: true };

/** Errors States.ALL does not match: AWS makes them terminal. */
const uncatchableByAll = new Set(["States.Runtime", "States.DataLimitExceeded"]);

const timeouts = new Set(["States.Timeout", "States.HeartbeatTimeout"]);

/** Whether an ErrorEquals list names `error`. */
export function errorMatches(names: readonly string[], error: string): boolean {
  return names.some(
    (name) =>
      name === error ||
      (name === "States.ALL" && !uncatchableByAll.has(error)) ||
      // A heartbeat timeout is a timeout: States.Timeout names it too, States.TaskFailed does not.
      (name === "States.Timeout" && error === "States.HeartbeatTimeout") ||
      (name === "States.TaskFailed" && !timeouts.has(error) && !uncatchableByAll.has(error)),
  );
}

/** The first retrier naming `error`, if any: only that one decides, as the specification says. */
const retrierFor = (retriers: readonly Retrier[], error: string) =>
  retriers.findIndex((r) => errorMatches(r.ErrorEquals, error));

/**
 * The decision for `error`, given the errors this state already retried (oldest first).
 * Delay = IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds; FULL jitter takes a
 * random fraction of it.
 */
export function decideOnError(
  retriers: readonly Retrier[],
  catchers: readonly Catcher[],
  error: string,
  previousErrors: readonly string[],
  random: () => number,
): ErrorDecision {
  const index = retrierFor(retriers, error);
  if (index >= 0) {
    const r = retriers[index] as Retrier;
    const used = previousErrors.filter((e) => retrierFor(retriers, e) === index).length;
    if (used < (r.MaxAttempts ?? 3)) {
      let seconds = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** used;
      if (r.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, r.MaxDelaySeconds);
      if (r.JitterStrategy === "FULL") seconds = random() * seconds;
      return { retry: index, delayMs: Math.round(seconds * 1000) };
    }
  }
  const catcher = catchers.findIndex((c) => errorMatches(c.ErrorEquals, error));
  return catcher >= 0 ? { catch: catcher } : { fail: true };
}
