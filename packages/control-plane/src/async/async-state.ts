// The async invocation lifecycle as data. Every status change in the store is a
// conditional update from the states listed here, so a stale or duplicate worker
// can never move an invocation along an edge that is not allowed.
//
//   accepted ─► running ─► succeeded | failed | dead_lettered
//                  │  ▲
//                  ▼  │
//               retrying ─► expired (event too old)      running ─► expired
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

export const TERMINAL: readonly AsyncStatus[] = ["succeeded", "failed", "dead_lettered", "expired"];

/** The statuses an invocation may move to `to` from. */
export function sourcesOf(to: AsyncStatus): AsyncStatus[] {
  return (Object.keys(allowed) as AsyncStatus[]).filter((from) => allowed[from].includes(to));
}

export function canMove(from: AsyncStatus, to: AsyncStatus): boolean {
  return allowed[from].includes(to);
}
