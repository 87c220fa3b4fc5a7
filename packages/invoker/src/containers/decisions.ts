// Pure decisions of the container pool, over plain data: which container takes an
// invocation (warm, then a stem cell, then one from scratch), which idle containers
// to evict to make room, and how many stem cells to replenish. Tested as tables.

/**
 * A container's state as the decisions see it (lifecycle.ts has the whole of it):
 * `stem`, a prewarmed generic runtime container waiting for its identity; `busy`,
 * held by a specialisation, an invocation, or a death not yet cleared away.
 */
export type ContainerState = "starting" | "stem" | "idle" | "busy" | "removing";

export interface PoolEntry {
  id: string;
  /**
   * Identity of what the container runs: account, function, version, revision, code;
   * for a stem cell, its stemKey (runtime and sandbox shape).
   */
  key: string;
  readonly state: ContainerState;
  memoryMb: number;
  lastUsed: number;
  /** Epoch ms from which it takes no new invocation (its credentials would expire during one). */
  retireAt?: number;
  /**
   * The provisioned set (provisioned/) that keeps it: while idle it is never reaped
   * for its idle TTL nor evicted to make room (past its retireAt it is reaped all the same).
   */
  pinned?: string;
}

const retiredBy = (e: PoolEntry, now: number | undefined) =>
  e.retireAt !== undefined && now !== undefined && now >= e.retireAt;

/** The most recently used idle container for `key` (the warmest caches), if any, not retired at `now`. */
export function chooseWarm<T extends PoolEntry>(entries: Iterable<T>, key: string, now?: number): T | undefined {
  let best: T | undefined;
  for (const e of entries) {
    if (e.key === key && e.state === "idle" && !retiredBy(e, now) && (!best || e.lastUsed > best.lastUsed)) best = e;
  }
  return best;
}

/** What a stem cell must match to become a function's container: runtime and /tmp size (fixed at create). */
export function stemKey(runtime: string, ephemeralStorageMb: number): string {
  return `stem/${runtime}/${ephemeralStorageMb}`;
}

export type Placement<T> = { kind: "warm"; entry: T } | { kind: "stem"; entry: T } | { kind: "scratch" };

/**
 * Where an invocation runs: the warmest idle container of its version; else the
 * oldest ready stem cell of its runtime and sandbox shape (`stem`, undefined when no
 * stem cell can serve the function faithfully) that `fits` it (what one started
 * with can rule it out); else a new container.
 */
export function choosePlacement<T extends PoolEntry>(
  entries: Iterable<T>,
  key: string,
  stem: string | undefined,
  fits: (stemCell: T) => boolean = () => true,
  now?: number,
): Placement<T> {
  const list = [...entries];
  const warm = chooseWarm(list, key, now);
  if (warm) return { kind: "warm", entry: warm };
  if (stem === undefined) return { kind: "scratch" };
  let oldest: T | undefined;
  for (const e of list) {
    if (e.key === stem && e.state === "stem" && (!oldest || e.lastUsed < oldest.lastUsed) && fits(e)) oldest = e;
  }
  return oldest ? { kind: "stem", entry: oldest } : { kind: "scratch" };
}

/**
 * How many stem cells of one kind to start now: enough to reach `target` counting
 * the ready and starting ones, as far as free memory and idle containers (which the
 * pool evicts for them, least recently used first) allow. The stem cells are a small
 * fixed reserve of capacity, so a node full of idle containers still gets them back;
 * busy containers and other stem cells are never given up for one.
 */
export function stemsToCreate<T extends PoolEntry>(
  entries: Iterable<T>,
  stem: string,
  target: number,
  stemMb: number,
  capacityMb: number,
): number {
  let present = 0;
  let used = 0;
  for (const e of entries) {
    if (e.state === "removing") continue;
    // Idle containers are evicted for stem cells; pinned ones are not.
    if (e.state !== "idle" || e.pinned) used += e.memoryMb;
    if (e.key === stem && (e.state === "stem" || e.state === "starting")) present++;
  }
  const missing = Math.max(0, target - present);
  const room = stemMb > 0 ? Math.max(0, Math.floor((capacityMb - used) / stemMb)) : 0;
  return Math.min(missing, room);
}

/**
 * Idle containers to evict (never pinned ones), least recently used first, then (unless `opts.stems` is
 * false, as when making room for a stem cell) ready stem cells (cheap to replace), so that `neededMb` fits in
 * `capacityMb`; undefined when even evicting every idle container is not enough.
 */
export function chooseEvictions<T extends PoolEntry>(
  entries: readonly T[],
  neededMb: number,
  capacityMb: number,
  opts: { stems: boolean } = { stems: true },
): T[] | undefined {
  const used = entries.filter((e) => e.state !== "removing").reduce((sum, e) => sum + e.memoryMb, 0);
  let free = capacityMb - used;
  if (free >= neededMb) return [];
  const victims: T[] = [];
  const idle = entries.filter((x) => x.state === "idle" && !x.pinned).sort((a, b) => a.lastUsed - b.lastUsed);
  for (const e of [...idle, ...(opts.stems ? entries.filter((x) => x.state === "stem") : [])]) {
    victims.push(e);
    free += e.memoryMb;
    if (free >= neededMb) return victims;
  }
  return undefined;
}

/** Idle containers unused for longer than `ttlMs` (unless pinned), or past their retireAt. */
export function chooseExpired<T extends PoolEntry>(entries: Iterable<T>, now: number, ttlMs: number): T[] {
  return [...entries].filter(
    (e) => e.state === "idle" && ((!e.pinned && now - e.lastUsed > ttlMs) || retiredBy(e, now)),
  );
}
