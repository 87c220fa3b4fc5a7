// How invoker nodes announce themselves to the control plane: a Redis sorted set of
// node ids scored by their last heartbeat (epoch ms), and a hash of node id → JSON
// NodeInfo. A node whose heartbeat is older than `staleAfterMs` takes no new work:
// control planes place nothing on it and give up the requests they have in flight
// there; the node itself, once back, refuses the calls placed before its silence
// (internal-invoke.ts placedOnHeartbeatHeader), which it may be reading only now.
import { z } from "zod";

export const nodeRegistry = {
  heartbeatsKey: "stratus:nodes:heartbeats",
  infoKey: "stratus:nodes:info",
  heartbeatIntervalMs: 2_000,
  staleAfterMs: 10_000,
  /** How long a control plane places from a node list it read (routing/node-directory.ts). */
  listCacheMs: 500,
  /** How often a control plane reads the list again unasked, so that none of its invokes waits for the read. */
  listRefreshMs: 250,
  /**
   * How long a draining node keeps refusing calls (429, try another node) on its open
   * connections before it closes them: past every list read before the drain was.
   */
  drainNoticeMs: 1_000,
} as const;

export const NodeInfoSchema = z.object({
  id: z.string().min(1),
  /** Base URL of the node's internal API, e.g. http://127.0.0.1:41234 */
  url: z.string().url(),
  capacityMb: z.number().int().positive(),
  draining: z.boolean().default(false),
});

export type NodeInfo = z.infer<typeof NodeInfoSchema>;
