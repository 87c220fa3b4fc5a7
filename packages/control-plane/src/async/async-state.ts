// The async invocation lifecycle as data. Every status change in the store is a
// conditional update from the states listed here, so a stale or duplicate worker
// can never move an invocation along an edge that is not allowed.
//
//   accepted ─► running ─► succeeded | failed | dead_lettered
//                  │  ▲
//                  ▼  │
//               retrying ─► expired (event too old)      running ─► expired
//
// One more edge is allowed only to the queue job recorded for the invocation, and
// only when BullMQ re-runs it after a stall (its worker lost the job's lock: crashed
// or cut off): running ─► running with the next attempt number (TAKEOVER_FROM), so
// the lost worker's late completion is refused as stale.
export type AsyncStatus = "accepted" | "running" | "retrying" | "succeeded" | "failed" | "dead_lettered" | "expired";

const allowed: Record<AsyncStatus, AsyncStatus[]> = {
  accepted: ["running", "expired"],
  running: ["succeeded", "retrying", "failed", "dead_lettered", "expired"],
  retrying: ["running", "expired"],
  succeeded: [],
  failed: [],
  dead_lettered: ["accepted"],
  expired: ["accepted"],
};

export const TAKEOVER_FROM: AsyncStatus = "running";

export const TERMINAL: readonly AsyncStatus[] = ["succeeded", "failed", "dead_lettered", "expired"];

/** The statuses an invocation may move to `to` from. */
export function sourcesOf(to: AsyncStatus): AsyncStatus[] {
  return (Object.keys(allowed) as AsyncStatus[]).filter((from) => allowed[from].includes(to));
}

export function canMove(from: AsyncStatus, to: AsyncStatus): boolean {
  return allowed[from].includes(to);
}
