// Where a sync invocation goes. Rendezvous (highest random weight) hashing gives each
// function version a stable home node, so repeated invokes land where its warm
// containers are, and adding or removing a node moves only that node's share. The
// caller tries the nodes in the returned order, spilling to the next when one is full.
import { createHash } from "node:crypto";

export interface PlacementNode {
  id: string;
  draining: boolean;
}

function weight(key: string, nodeId: string): bigint {
  return createHash("sha256").update(key).update("\0").update(nodeId).digest().readBigUInt64BE(0);
}

/** Nodes ordered by preference for `key` (e.g. account/function/version); draining nodes excluded. */
export function rankNodes<T extends PlacementNode>(nodes: readonly T[], key: string): T[] {
  return nodes
    .filter((n) => !n.draining)
    .map((n) => ({ n, w: weight(key, n.id) }))
    .sort((a, b) => (a.w === b.w ? a.n.id.localeCompare(b.n.id) : a.w > b.w ? -1 : 1))
    .map((x) => x.n);
}
