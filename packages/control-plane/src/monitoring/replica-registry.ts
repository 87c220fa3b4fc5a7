// The live control-plane replicas, as the invokers' node registry is for nodes
// (@stratus/shared nodes.ts): each replica heartbeats its id, scored by the time, into
// a Redis sorted set and its scrape address into a hash, and withdraws both as it
// stops. Service discovery (scrape-targets.ts) reads the replicas heard from lately.
import { type Logger, type ScriptRunner, writeRegistryBeat } from "@stratus/shared";
import type { Redis } from "ioredis";
import { z } from "zod";

export const replicaRegistry = {
  heartbeatsKey: "stratus:control-planes:heartbeats",
  infoKey: "stratus:control-planes:info",
  heartbeatIntervalMs: 2_000,
  staleAfterMs: 10_000,
} as const;

export const ReplicaInfoSchema = z.object({
  id: z.string().min(1),
  /** host:port where this replica serves /metrics. */
  target: z.string().min(1),
});

export type ReplicaInfo = z.infer<typeof ReplicaInfoSchema>;

type RegistryRedis = Pick<Redis, "zrem" | "hdel" | "zrangebyscore" | "hmget" | "zremrangebyscore"> & ScriptRunner;

export interface ReplicaHeartbeat {
  /** Withdraws the replica (it stops answering scrapes). */
  stop(): Promise<void>;
}

/** Announces `me` now and every heartbeatIntervalMs; a failed beat is logged and the next one tries again. */
export function startReplicaHeartbeat(redis: RegistryRedis, me: ReplicaInfo, log: Logger): ReplicaHeartbeat {
  // Beats while Redis is at maxmemory too (registry-beat.ts).
  const beat = () => writeRegistryBeat(redis, replicaRegistry, me.id, JSON.stringify(me), Date.now());
  let warned = false;
  const tick = () =>
    beat().then(
      () => {
        warned = false;
      },
      (err: Error) => {
        if (!warned) log.warn("control plane heartbeat failed", { err });
        warned = true;
      },
    );
  void tick();
  const timer = setInterval(tick, replicaRegistry.heartbeatIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      // Bounded: with Redis away the entry goes stale by itself within staleAfterMs.
      const withdrawn = Promise.all([
        redis.zrem(replicaRegistry.heartbeatsKey, me.id),
        redis.hdel(replicaRegistry.infoKey, me.id),
      ]).catch(() => undefined);
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([withdrawn, new Promise((resolve) => (timeout = setTimeout(resolve, 1_000)))]);
      clearTimeout(timeout);
    },
  };
}

/** The replicas heard from within staleAfterMs; long-gone ones are pruned from the registry as it is read. */
export async function liveReplicas(redis: RegistryRedis, now = Date.now()): Promise<ReplicaInfo[]> {
  const { heartbeatsKey, infoKey, staleAfterMs } = replicaRegistry;
  // A replica silent for an hour is gone (a crash left it): its entry goes, its hash field stays harmless.
  await redis.zremrangebyscore(heartbeatsKey, "-inf", now - 3_600_000);
  const ids = await redis.zrangebyscore(heartbeatsKey, now - staleAfterMs, "+inf");
  if (ids.length === 0) return [];
  const raw = await redis.hmget(infoKey, ...ids);
  return raw.flatMap((json) => {
    if (!json) return [];
    const parsed = ReplicaInfoSchema.safeParse(JSON.parse(json));
    return parsed.success ? [parsed.data] : [];
  });
}
