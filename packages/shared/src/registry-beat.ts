// One heartbeat into a Redis registry (a member's JSON in a hash, its last beat as
// its score in a sorted set), as the invokers' node registry (nodes.ts) and the
// control planes' replica registry keep them. Written by one Lua script flagged
// allow-oom: a Redis at maxmemory with noeviction (RELIABILITY.md S30) refuses every
// command that may grow its memory, a heartbeat's too, and a member that cannot beat
// is soon taken for dead, which would stop sync invokes over an async backlog. A beat
// replaces its member's entry, so it grows memory only by a member's first entry.
// Script flags need Redis 7.0 or later.

export interface RegistryKeys {
  infoKey: string;
  heartbeatsKey: string;
}

/** The part of an ioredis client a beat uses. */
export interface ScriptRunner {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export const REGISTRY_BEAT = `#!lua flags=allow-oom
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1`;

/** Writes `id`'s entry (`json`) and its beat (`at`, epoch ms) at once; throws what Redis answered. */
export async function writeRegistryBeat(
  redis: ScriptRunner,
  keys: RegistryKeys,
  id: string,
  json: string,
  at: number,
): Promise<void> {
  try {
    await redis.eval(REGISTRY_BEAT, 2, keys.infoKey, keys.heartbeatsKey, id, json, at);
  } catch (err) {
    const message = (err as Error).message;
    // Redis before 7.0 reads the flags line as Lua, and cannot compile the script.
    if (/compil/i.test(message)) throw new Error(`heartbeats need Redis 7.0 or later: ${message}`);
    throw err;
  }
}
