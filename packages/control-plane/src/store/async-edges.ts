// The async lifecycle (async-state.ts) as the parameters of the async store's
// statements: each conditional update joins a row's status to the edges of its event
// and sets the edge's target, so the store never names a status itself.
import { type AsyncEvent, edgesOf, FINISH_EVENTS, sourcesOf } from "../async/async-state.js";

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

/** The event by which a job re-run after a stall takes over the attempt recorded under it. */
export const TAKE_OVER: AsyncEvent = "take_over";
export const START_EDGES = edgeArrays(["start", TAKE_OVER]);
export const FINISH_EDGES = edgeArrays(FINISH_EVENTS);
export const EXPIRE_LEASE_EDGES = edgeArrays(["expire_lease"]);
export const REQUEUE_EDGES = edgeArrays(["requeue"]);
export const REDRIVE_EDGES = edgeArrays(["redrive"]);

/** Invocations waiting for a job to start them: the reconciler may record a new one. */
export const WAITING_STATUSES = sourcesOf("requeue");
/** Invocations running under a lease, which the reconciler may find expired. */
export const LEASED_STATUSES = sourcesOf("expire_lease");
