// Announces this node to the control planes through the Redis registry (contract in
// @stratus/shared nodes.ts) and keeps the announcement fresh; withdraws it on stop.
// It also remembers the node's silences: a node whose heartbeat went stale (it was
// frozen, stalled, or cut off from Redis) has had calls given up by control planes,
// and must not start those it reads only on coming back.
import { type Logger, type NodeInfo, nodeRegistry, type ScriptRunner, writeRegistryBeat } from "@stratus/shared";
import type { Redis } from "ioredis";

export interface Heartbeat {
  /**
   * Whether control planes may have seen this node as stale since it wrote heartbeat
   * `beat` (a registry score): it is silent now, or has been for longer than the
   * staleness window since. A call placed by that heartbeat may have been given up.
   */
  silentSince(beat: number): boolean;
  setDraining(draining: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** The part of an ioredis client a heartbeat uses. */
export type HeartbeatRedis = Pick<Redis, "multi"> & ScriptRunner;

export async function startHeartbeat(
  redis: HeartbeatRedis,
  info: NodeInfo,
  log: Pick<Logger, "warn">,
  now: () => number = Date.now,
  /** Told when a beat lands after a silence longer than the staleness window, with its length. */
  onBack: (silentMs: number) => void = () => undefined,
): Promise<Heartbeat> {
  let current = info;
  /** The score of the last beat that reached the registry. */
  let lastBeat = Number.NEGATIVE_INFINITY;
  /** The score of the first beat that reached it after the last silence. */
  let backAt = Number.NEGATIVE_INFINITY;
  const beat = async () => {
    const at = now();
    // Beats while Redis is at maxmemory too (registry-beat.ts).
    await writeRegistryBeat(redis, nodeRegistry, current.id, JSON.stringify(current), at);
    // Silent from the last beat until this one landed (not merely since it was sent).
    const silentMs = now() - lastBeat;
    if (silentMs > nodeRegistry.staleAfterMs && lastBeat > Number.NEGATIVE_INFINITY) {
      backAt = Math.max(backAt, at);
      log.warn(`heartbeat: back after ${Math.round(silentMs / 1000)} s of silence; calls placed before are refused`);
      onBack(silentMs);
    }
    lastBeat = Math.max(lastBeat, at);
  };
  await beat();
  const timer = setInterval(() => {
    beat().catch((err: Error) => log.warn(`heartbeat failed: ${err.message}`));
  }, nodeRegistry.heartbeatIntervalMs);
  timer.unref();
  return {
    silentSince: (placedOn) => now() - lastBeat > nodeRegistry.staleAfterMs || backAt > placedOn,
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
