// Announces this node to the control planes through the Redis registry (contract in
// @stratus/shared nodes.ts) and keeps the announcement fresh; withdraws it on stop.
import { type NodeInfo, nodeRegistry } from "@stratus/shared";
import type { Redis } from "ioredis";

export interface Heartbeat {
  setDraining(draining: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startHeartbeat(redis: Redis, info: NodeInfo, log: Pick<Console, "warn">): Promise<Heartbeat> {
  let current = info;
  const beat = () =>
    redis
      .multi()
      .hset(nodeRegistry.infoKey, current.id, JSON.stringify(current))
      .zadd(nodeRegistry.heartbeatsKey, Date.now(), current.id)
      .exec();
  await beat();
  const timer = setInterval(() => {
    beat().catch((err: Error) => log.warn(`heartbeat failed: ${err.message}`));
  }, nodeRegistry.heartbeatIntervalMs);
  timer.unref();
  return {
    async setDraining(draining) {
      current = { ...current, draining };
      await beat();
    },
    async stop() {
      clearInterval(timer);
      await redis.multi().zrem(nodeRegistry.heartbeatsKey, current.id).hdel(nodeRegistry.infoKey, current.id).exec();
    },
  };
}
