// Removes what dead peer nodes left on this node's container engine. A node removes
// its own leftovers when it starts again under the same id; one that is never started
// again (killed, then replaced by a node with a new id: a recreated container, a
// renamed host) would leave its function containers running and its network using
// an address pool for ever. A peer counts as dead when this platform's registry
// (the Redis the node heartbeats into) knows it and its last heartbeat is older than
// `deadAfterMs` (far past the seconds after which control planes stop placing work
// on it); only what it made that long ago is removed, so a node still starting
// (which makes its network and stem cells before its first heartbeat) is safe.
// Containers of nodes the registry has never known (another platform on the same
// engine) are never touched.
import type { Logger } from "@stratus/shared";
import type { Counter } from "prom-client";
import type { ContainerBackend, ManagedInventory, ManagedResource, Networks } from "../backend/container-backend.js";

/** The leftovers of dead peers among `resources`: containers first, then networks. */
export function deadPeerLeftovers(
  resources: ManagedResource[],
  lastBeats: Map<string, number>,
  self: string,
  deadAfterMs: number,
  now: number,
): ManagedResource[] {
  const dead = (node: string) => {
    const beat = lastBeats.get(node);
    return node !== self && beat !== undefined && now - beat > deadAfterMs;
  };
  return resources
    .filter((r) => dead(r.node) && now - r.createdAt > deadAfterMs)
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "container" ? -1 : 1));
}

export interface DeadPeerSweepDeps {
  backend: ManagedInventory & Pick<ContainerBackend, "remove"> & Pick<Networks, "removeNetwork">;
  /** The last heartbeat (epoch ms) of every node the registry knows. */
  lastBeats(): Promise<Map<string, number>>;
  self: string;
  deadAfterMs: number;
  removed: Counter<"kind">;
  log: Pick<Logger, "warn">;
  now?: () => number;
  /** Ids whose removal failed and was said already (the sweeper keeps one across passes). */
  unremovable?: Set<string>;
}

/** One pass: removes dead peers' leftovers on this engine; returns how many it removed. */
export async function sweepDeadPeers(deps: DeadPeerSweepDeps): Promise<number> {
  const [resources, beats] = await Promise.all([deps.backend.listManaged(), deps.lastBeats()]);
  const now = (deps.now ?? Date.now)();
  const leftovers = deadPeerLeftovers(resources, beats, deps.self, deps.deadAfterMs, now);
  let count = 0;
  for (const r of leftovers) {
    try {
      if (r.kind === "container") await deps.backend.remove(r.id);
      else await deps.backend.removeNetwork(r.id);
      deps.removed.inc({ kind: r.kind });
      count++;
    } catch (err) {
      // Tried again on every pass, but said once: a network the engine holds a stale
      // endpoint for cannot go until the engine restarts.
      if (deps.unremovable?.has(r.id)) continue;
      deps.unremovable?.add(r.id);
      deps.log.warn(
        `could not remove ${r.kind} ${r.id.slice(0, 12)} of dead node ${r.node}: ${(err as Error).message}`,
      );
    }
  }
  if (count > 0) {
    const nodes = [...new Set(leftovers.map((r) => r.node))].join(", ");
    deps.log.warn(`removed ${count} container(s) and network(s) left by dead node(s) ${nodes}`);
  }
  return count;
}

/** Sweeps now and then every `intervalMs`; a pass that fails is logged and tried again next time. */
export function startDeadPeerSweeper(deps: DeadPeerSweepDeps, intervalMs: number): { stop(): void } {
  let busy = false;
  const passDeps = { ...deps, unremovable: deps.unremovable ?? new Set<string>() };
  const pass = () => {
    if (busy) return;
    busy = true;
    sweepDeadPeers(passDeps)
      .catch((err: Error) => deps.log.warn(`dead node sweep: ${err.message}`))
      .finally(() => {
        busy = false;
      });
  };
  pass();
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
