// The async lifecycle (async-state.ts) as the parameters of the async store's
// statements: each conditional update joins a row's status to the edges of its event
// and sets the edge's target, so the store never names a status itself.
import {
  type AsyncEvent,
  type AsyncStatus,
  edgesOf,
  FINISH_EVENTS,
  type FinishEvent,
  sourcesOf,
  targetOf,
} from "./async-state.js";

/**
 * The edges async-state.ts lists for `events`, as the three arrays of `moves(n)`: an
 * update joined to them moves a row only from a status they list, to the status they
 * list for it.
 */
function edgeArrays(events: readonly AsyncEvent[]): [string[], string[], string[]] {
  const edges = edgesOf(events);
  return [edges.map((e) => e.event), edges.map((e) => e.from), edges.map((e) => e.to)];
}

/** The edges passed as parameters $n, $n+1, $n+2, for an UPDATE's FROM. */
export const moves = (n: number): string =>
  `unnest($${n}::text[], $${n + 1}::text[], $${n + 2}::text[]) AS m(event, from_status, to_status)`;

/** The only status `event` moves an invocation from (one that has several fails here, at load). */
function onlySourceOf(event: AsyncEvent): AsyncStatus {
  const [from, ...more] = sourcesOf(event);
  if (!from || more.length > 0) throw new Error(`${event} moves from ${sourcesOf(event).length} statuses, not one`);
  return from;
}

/** The event by which a job re-run after a stall takes over the attempt recorded under it. */
export const TAKE_OVER: AsyncEvent = "take_over";

/**
 * The hot statements (an attempt's start and end, once per attempt) take their edges
 * as plain parameters rather than joined as `moves`: a join of three row sets cost
 * Postgres as much to plan as to run on every call. An attempt starts from the
 * statuses of `start`, or the one `take_over` moves from (its job's own takeover),
 * and both lead to the same status.
 */
export const START = {
  from: sourcesOf("start"),
  takeOverFrom: onlySourceOf(TAKE_OVER),
  to: targetOf("start"),
} as const;
if (targetOf(TAKE_OVER) !== START.to) throw new Error("start and take_over lead to different statuses");

/** Each finish event's one source status and its target: an attempt ends only from there. */
export const FINISH: Record<FinishEvent, { from: AsyncStatus; to: AsyncStatus }> = Object.fromEntries(
  FINISH_EVENTS.map((e) => [e, { from: onlySourceOf(e), to: targetOf(e) }]),
) as Record<FinishEvent, { from: AsyncStatus; to: AsyncStatus }>;
export const EXPIRE_LEASE_EDGES = edgeArrays(["expire_lease"]);
export const REQUEUE_EDGES = edgeArrays(["requeue"]);
export const REDRIVE_EDGES = edgeArrays(["redrive"]);

/** Invocations waiting for a job to start them: the reconciler may record a new one. */
export const WAITING_STATUSES = sourcesOf("requeue");
/** Invocations running under a lease, which the reconciler may find expired. */
export const LEASED_STATUSES = sourcesOf("expire_lease");
