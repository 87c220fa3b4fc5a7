// Pure decisions of the container pool, over plain data: which warm container takes
// an invocation, and which idle containers to evict to make room. Tested as tables.

export type ContainerState = "starting" | "idle" | "busy" | "removing";

export interface PoolEntry {
  id: string;
  /** Identity of what the container runs: account, function, version, revision, code. */
  key: string;
  state: ContainerState;
  memoryMb: number;
  lastUsed: number;
}

const allowed: Record<ContainerState, ContainerState[]> = {
  starting: ["busy", "removing"],
  idle: ["busy", "removing"],
  busy: ["idle", "removing"],
  removing: [],
};

/** The container lifecycle; throws on an edge it does not allow. */
export function nextState(from: ContainerState, to: ContainerState): ContainerState {
  if (!allowed[from].includes(to)) throw new Error(`container cannot go from ${from} to ${to}`);
  return to;
}

/** The most recently used idle container for `key` (the warmest caches), if any. */
export function chooseWarm<T extends PoolEntry>(entries: Iterable<T>, key: string): T | undefined {
  let best: T | undefined;
  for (const e of entries) {
    if (e.key === key && e.state === "idle" && (!best || e.lastUsed > best.lastUsed)) best = e;
  }
  return best;
}

/**
 * Idle containers to evict, least recently used first, so that `neededMb` fits in
 * `capacityMb`; undefined when even evicting every idle container is not enough.
 */
export function chooseEvictions<T extends PoolEntry>(
  entries: readonly T[],
  neededMb: number,
  capacityMb: number,
): T[] | undefined {
  const used = entries.filter((e) => e.state !== "removing").reduce((sum, e) => sum + e.memoryMb, 0);
  let free = capacityMb - used;
  if (free >= neededMb) return [];
  const victims: T[] = [];
  for (const e of entries.filter((x) => x.state === "idle").sort((a, b) => a.lastUsed - b.lastUsed)) {
    victims.push(e);
    free += e.memoryMb;
    if (free >= neededMb) return victims;
  }
  return undefined;
}

/** Idle containers unused for longer than `ttlMs`. */
export function chooseExpired<T extends PoolEntry>(entries: Iterable<T>, now: number, ttlMs: number): T[] {
  return [...entries].filter((e) => e.state === "idle" && now - e.lastUsed > ttlMs);
}
