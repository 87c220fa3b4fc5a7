// The live invoker nodes, read from the Redis registry the invokers heartbeat into
// (contract in @stratus/shared nodes.ts). Cached for a moment so that invokes do not
// pay a Redis round trip each, and (`refreshEveryMs`) read again in the background
// before the moment is over, so that an invoke after a quiet spell pays none either;
// a node that stopped heartbeating drops out within `staleAfterMs`.
import { errors, type NodeInfo, NodeInfoSchema, nodeRegistry } from "@stratus/shared";
import type { Redis } from "ioredis";

/** A node placement may use: its registry info, and the heartbeat it was found live by. */
export interface LiveNode extends NodeInfo {
  /** The node's registry score (epoch ms, the node's clock) when it was read. */
  heartbeatAt: number;
}

export interface NodeDirectory {
  liveNodes(): Promise<LiveNode[]>;
  /**
   * When each node last heartbeated (epoch ms, read now, not cached); undefined for a
   * node not in the registry (never there, withdrawn, or Redis lost it).
   */
  lastHeartbeats(ids: string[]): Promise<(number | undefined)[]>;
}

/** A directory that may read in the background: close stops that. */
export interface RedisNodeDirectory extends NodeDirectory {
  close(): void;
}

/**
 * `refreshEveryMs`: how often the list is read again whether asked for or not (it
 * should be under `cacheMs`); undefined, only when asked for and expired. A failed
 * background read changes nothing: once the list has expired, the next caller reads
 * Redis itself, and learns of the failure.
 */
export function createRedisNodeDirectory(
  redis: Redis,
  cacheMs: number = nodeRegistry.listCacheMs,
  now = Date.now,
  refreshEveryMs?: number,
): RedisNodeDirectory {
  /** `at`: when the read began, so that a list is never used longer than `cacheMs` after Redis had it. */
  let cached: { at: number; nodes: LiveNode[] } | undefined;
  let inflight: Promise<LiveNode[]> | undefined;

  /** Reads Redis; a failure (Redis away or not answering) is the platform's: a ServiceException. */
  async function read<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw errors.service(`The invoker node registry is unavailable: ${(err as Error).message}`);
    }
  }

  async function load(): Promise<LiveNode[]> {
    const scored = await read(() =>
      redis.zrangebyscore(nodeRegistry.heartbeatsKey, now() - nodeRegistry.staleAfterMs, "+inf", "WITHSCORES"),
    );
    if (scored.length === 0) return [];
    const ids = scored.filter((_, i) => i % 2 === 0);
    const raw = await read(() => redis.hmget(nodeRegistry.infoKey, ...ids));
    const nodes: LiveNode[] = [];
    raw.forEach((json, i) => {
      if (!json) return;
      const parsed = NodeInfoSchema.safeParse(JSON.parse(json));
      if (parsed.success) nodes.push({ ...parsed.data, heartbeatAt: Number(scored[2 * i + 1]) });
    });
    return nodes;
  }

  /** Reads the list (one read shared by every caller meanwhile) and caches it. */
  function reload(): Promise<LiveNode[]> {
    inflight ??= (async () => {
      const at = now();
      const nodes = await load();
      cached = { at, nodes };
      return nodes;
    })().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  const refresher =
    refreshEveryMs === undefined ? undefined : setInterval(() => void reload().catch(() => undefined), refreshEveryMs);
  refresher?.unref();

  return {
    async liveNodes() {
      // No node is never kept: the first to register (a platform starting) is used at once.
      if (cached && cached.nodes.length > 0 && now() - cached.at < cacheMs) return cached.nodes;
      return reload();
    },
    async lastHeartbeats(ids) {
      if (ids.length === 0) return [];
      const scores = await redis.zmscore(nodeRegistry.heartbeatsKey, ...ids);
      return scores.map((s) => (s === null ? undefined : Number(s)));
    },
    close: () => clearInterval(refresher),
  };
}
