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

/**
 * rankNodes, remembered for each node list (by identity) and key: the node directory
 * hands out the same list until it reads the registry again, so a warm function's
 * ranking costs one hash per node once per list rather than on every invoke.
 */
export function createRankingCache<T extends PlacementNode>(maxKeys = 10_000) {
  const byList = new WeakMap<readonly T[], Map<string, readonly T[]>>();
  return (nodes: readonly T[], key: string): readonly T[] => {
    let rankings = byList.get(nodes);
    if (!rankings) {
      rankings = new Map();
      byList.set(nodes, rankings);
    }
    let ranked = rankings.get(key);
    if (!ranked) {
      ranked = rankNodes(nodes, key);
      if (rankings.size >= maxKeys) rankings.clear();
      rankings.set(key, ranked);
    }
    return ranked;
  };
}
