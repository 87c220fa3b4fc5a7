// The async invocation lifecycle as data: the statuses, the events that move an
// invocation, and `transition`, which refuses every edge `allowed` does not list.
// async-edges.ts derives each conditional update from here (the statuses it may start
// from, the status it sets), so a stale or duplicate worker moves nothing.
//
//   accepted ──start──► running ──succeed──► succeeded
//   retrying ──start──►    │    ──fail──► failed (its failure delivered)
//                          │    ──dead_letter──► dead_lettered ──redrive──► accepted
//                          │    ──expire──► expired ──redrive──► accepted
//                          └──retry | expire_lease──► retrying
//   running ──take_over──► running            accepted | retrying ──requeue──► itself
import { StratusError } from "@stratus/shared";

export const STATUSES = ["accepted", "running", "retrying", "succeeded", "failed", "dead_lettered", "expired"] as const;
export type AsyncStatus = (typeof STATUSES)[number];

/** Events that end a running attempt, each as the job that ran it decides (async-decisions.ts). */
export const FINISH_EVENTS = ["succeed", "retry", "fail", "dead_letter", "expire"] as const;
export type FinishEvent = (typeof FINISH_EVENTS)[number];

/**
 * Besides the finishes: a job starts an attempt; a job BullMQ re-runs after a stall
 * takes over the attempt its lost worker ran (so that worker's late end is stale);
 * the reconciler sends a running attempt whose lease ran out back to retrying, or
 * records a new job for a waiting invocation whose job was lost; an operator re-drives
 * an ended one.
 */
export const EVENTS = ["start", "take_over", ...FINISH_EVENTS, "expire_lease", "requeue", "redrive"] as const;
export type AsyncEvent = (typeof EVENTS)[number];

const allowed: Record<AsyncStatus, Partial<Record<AsyncEvent, AsyncStatus>>> = {
  accepted: { start: "running", requeue: "accepted" },
  running: {
    take_over: "running",
    succeed: "succeeded",
    retry: "retrying",
    // Ended, its failure delivered to the on-failure destination.
    fail: "failed",
    dead_letter: "dead_lettered",
    expire: "expired",
    expire_lease: "retrying",
  },
  retrying: { start: "running", requeue: "retrying" },
  succeeded: {},
  failed: {},
  dead_lettered: { redrive: "accepted" },
  expired: { redrive: "accepted" },
};

/** The status an accepted invocation is written with. */
export const INITIAL: AsyncStatus = "accepted";

/** Statuses an invocation ends in: only a re-drive moves it on. */
export const TERMINAL = STATUSES.filter((s) => Object.keys(allowed[s]).every((e) => e === "redrive"));

/** Statuses of invocations not yet ended. */
export const OPEN = STATUSES.filter((s) => !TERMINAL.includes(s));

export function transition(from: AsyncStatus, event: AsyncEvent): AsyncStatus {
  const to = allowed[from][event];
  if (!to) throw new StratusError("InvalidStateTransition", 500, "platform", `${event} is not allowed from ${from}`);
  return to;
}

/** Whether `event` may move an invocation that is `from`. */
export function allows(from: AsyncStatus, event: AsyncEvent): boolean {
  return allowed[from][event] !== undefined;
}

/** The statuses `event` may move an invocation from. */
export function sourcesOf(event: AsyncEvent): AsyncStatus[] {
  return STATUSES.filter((from) => allows(from, event));
}

/** The status `event` leads to from each of its sources (requeue, which keeps the status, has none). */
export function targetOf(event: AsyncEvent): AsyncStatus {
  const targets = new Set(sourcesOf(event).map((from) => transition(from, event)));
  const [to] = targets;
  if (targets.size !== 1 || !to) throw new Error(`${event} leads to ${targets.size} statuses`);
  return to;
}

export interface Edge {
  event: AsyncEvent;
  from: AsyncStatus;
  to: AsyncStatus;
}

/** Every edge of `events`: what a conditional update may do for them, and nothing else. */
export function edgesOf(events: readonly AsyncEvent[]): Edge[] {
  return events.flatMap((event) => sourcesOf(event).map((from) => ({ event, from, to: transition(from, event) })));
}
