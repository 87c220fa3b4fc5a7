// Lambda's concurrency rules, counted across all control planes in Redis. A function
// with reserved concurrency R runs at most R invocations at once, from its own pool;
// other functions share the account's unreserved pool (the account limit minus all
// reservations). Each running invocation holds a slot with a lease (its timeout plus
// slack), so slots of a crashed process expire instead of leaking.
import { errors, StratusError } from "@stratus/shared";
import type { Redis } from "ioredis";

export interface Slot {
  key: string;
  member: string;
  /** When its lease in Redis runs out (epoch ms). */
  expiresAt: number;
}

export interface SlotRequest {
  accountId: string;
  functionName: string;
  /** The version or alias the call named, for Lambda's Resource in the throttle metrics. */
  qualifier?: string;
  requestId: string;
  leaseMs: number;
  reserved: number | null;
  unreservedLimit: number;
}

/** The pool an invoke draws from (the function's reservation, or the account's unreserved pool) and its size. */
export function poolOf(req: SlotRequest): { key: string; limit: number; reserved: boolean } {
  return req.reserved !== null
    ? { key: `stratus:concurrency:fn:${req.accountId}:${req.functionName}`, limit: req.reserved, reserved: true }
    : { key: `stratus:concurrency:unreserved:${req.accountId}`, limit: req.unreservedLimit, reserved: false };
}

export interface ConcurrencyLimiter {
  /** Takes a slot or throws TooManyRequestsException with Lambda's Reason. */
  acquire(req: SlotRequest): Promise<Slot>;
  release(slot: Slot): Promise<void>;
}

// KEYS[1]: the pool. ARGV: now, limit, member, lease expiry, key ttl (ms). Flagged
// allow-oom: sync invokes go on while an async backlog holds Redis at maxmemory
// (RELIABILITY.md S30); a pool grows by at most its limit of members.
const ACQUIRE = `#!lua flags=allow-oom
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return 1
`;

type ScriptRedis = Redis & {
  stratusAcquireSlot(
    key: string,
    now: number,
    limit: number,
    member: string,
    expiry: number,
    ttl: number,
  ): Promise<number>;
};

export function throttled(
  reason: "ReservedFunctionConcurrentInvocationLimitExceeded" | "ConcurrentInvocationLimitExceeded",
) {
  return new StratusError(
    "TooManyRequestsException",
    429,
    "client",
    reason === "ConcurrentInvocationLimitExceeded"
      ? "Rate Exceeded."
      : "Rate Exceeded. The function's reserved concurrency is in use.",
    { "Retry-After": "1", Reason: reason },
  );
}

export function createRedisConcurrencyLimiter(redis: Redis, now = Date.now): ConcurrencyLimiter {
  const r = redis as ScriptRedis;
  if (typeof r.stratusAcquireSlot !== "function") {
    redis.defineCommand("stratusAcquireSlot", { numberOfKeys: 1, lua: ACQUIRE });
  }
  return {
    async acquire(req) {
      const { key, limit, reserved } = poolOf(req);
      const t = now();
      let ok: number;
      try {
        ok = await r.stratusAcquireSlot(key, t, limit, req.requestId, t + req.leaseMs, req.leaseMs);
      } catch (err) {
        // The script may still run (a command that timed out was sent, or is resent on
        // reconnection): a removal queued behind it on the same connection frees the slot
        // it may take, rather than leave it held until its lease runs out.
        redis.zrem(key, req.requestId).catch(() => undefined);
        throw errors.service(`Concurrency accounting is unavailable: ${(err as Error).message}`);
      }
      if (ok !== 1) {
        throw throttled(
          reserved ? "ReservedFunctionConcurrentInvocationLimitExceeded" : "ConcurrentInvocationLimitExceeded",
        );
      }
      return { key, member: req.requestId, expiresAt: t + req.leaseMs };
    },
    async release(slot) {
      await redis.zrem(slot.key, slot.member).catch(() => undefined);
    },
  };
}
