// Where a round puts each config's containers, as pure decisions over plain data: an
// alias's count split between its versions by their weights, and each version's
// containers on the nodes an invoke of it tries first (its rendezvous ranking), as
// many as fit on each before the next; what fits nowhere is left unplaced.
import type { InvokeSpec, ProvisionedSet, ProvisionedSetReport } from "@stratus/shared";
import type { Allocation, ProvisionedConfig } from "../store/provisioned-store.js";

/** A version's share of a config, to be placed. */
export interface Want {
  config: string;
  setId: string;
  spec: InvokeSpec;
  count: number;
}

export interface PlanNode {
  id: string;
  capacityMb: number;
}

export interface Plan {
  byNode: Map<string, ProvisionedSet[]>;
  /** Containers of each config that fit on no node, by config key. */
  unplaced: Map<string, number>;
  /** The set ids of each config, by config key. */
  setsOf: Map<string, string[]>;
}

export const configKey = (c: Pick<ProvisionedConfig, "accountId" | "functionName" | "qualifier">) =>
  `${c.accountId}/${c.functionName}/${c.qualifier}`;

/** A config's count split between an alias's main version and its additional one, by weight. */
export function splitByWeight(
  count: number,
  main: string,
  additional?: { version: string; weight: number },
): { version: string; count: number }[] {
  const extra = additional ? Math.round(count * additional.weight) : 0;
  const parts = [{ version: main, count: count - extra }];
  if (additional && extra > 0) parts.push({ version: additional.version, count: extra });
  return parts.filter((p) => p.count > 0);
}

export function planSets<N extends PlanNode>(
  wants: readonly Want[],
  nodes: readonly N[],
  rank: (spec: InvokeSpec) => N[],
): Plan {
  const free = new Map(nodes.map((n) => [n.id, n.capacityMb]));
  const byNode = new Map<string, ProvisionedSet[]>(nodes.map((n) => [n.id, []]));
  const unplaced = new Map<string, number>();
  const setsOf = new Map<string, string[]>();
  for (const w of wants) {
    setsOf.set(w.config, [...(setsOf.get(w.config) ?? []), w.setId]);
    let left = w.count;
    for (const node of rank(w.spec)) {
      if (left === 0) break;
      const room = Math.floor((free.get(node.id) ?? 0) / w.spec.memoryMb);
      const take = Math.min(left, room);
      if (take === 0) continue;
      free.set(node.id, (free.get(node.id) ?? 0) - take * w.spec.memoryMb);
      byNode.get(node.id)?.push({ id: w.setId, spec: w.spec, count: take });
      left -= take;
    }
    if (left > 0) unplaced.set(w.config, (unplaced.get(w.config) ?? 0) + left);
  }
  return { byNode, unplaced, setsOf };
}

/** Init failures in a row on a node after which a config is FAILED. */
export const FAILED_AFTER = 3;

/**
 * What the nodes' reports make of a config: READY once every container asked for is
 * initialised; FAILED while the function's init keeps failing or the nodes have no
 * room (it recovers when that changes); IN_PROGRESS otherwise.
 */
export function allocationOf(
  c: ProvisionedConfig,
  reports: readonly ProvisionedSetReport[],
  unplaced: number,
  problem?: string,
): Allocation {
  const ready = reports.reduce((sum, r) => sum + r.ready, 0);
  const allocated = Math.min(ready, c.requested);
  if (problem) return { allocated, status: "FAILED", statusReason: problem };
  if (allocated >= c.requested) return { allocated, status: "READY" };
  const failing = reports.find((r) => r.failures >= FAILED_AFTER);
  if (failing)
    return { allocated, status: "FAILED", statusReason: failing.lastError ?? "The function failed to initialize" };
  if (unplaced > 0)
    return {
      allocated,
      status: "FAILED",
      statusReason: `The invoker nodes have no room for ${unplaced} of the ${c.requested} execution environments`,
    };
  return { allocated, status: "IN_PROGRESS" };
}
