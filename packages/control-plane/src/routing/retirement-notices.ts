// Tells every invoker node, over Redis pub/sub, that a function, a version or an old
// $LATEST revision can no longer be invoked, so that nodes remove its containers at
// once. Best effort by design: a notice lost with Redis costs only memory until the
// containers' idle timeout, never an invocation.
import { type Logger, type Retirement, retirements } from "@stratus/shared";
import type { Redis } from "ioredis";

export function createRetirementNotices(redis: Pick<Redis, "publish">, log: Logger): (r: Retirement) => void {
  return (r) => {
    redis.publish(retirements.channel, JSON.stringify(r)).catch((err: Error) => {
      log.warn(`could not tell invokers that ${r.functionName} was retired: ${err.message}`);
    });
  };
}
