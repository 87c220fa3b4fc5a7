// Listens on the control planes' retirement channel (shared/retirements.ts) and
// hands each well-formed notice to the pool, which removes the containers of what
// can no longer be invoked. A malformed message is logged and ignored; a notice lost
// while Redis is away costs memory until the containers' idle timeout, nothing more.
import { type Logger, parseRetirement, type Retirement, retirements } from "@stratus/shared";
import { Redis } from "ioredis";

export interface RetirementListener {
  close(): void;
}

/**
 * Subscribes in the background: a node's start never waits on it (with Redis away it
 * would wait for ever), and ioredis subscribes again after every reconnection.
 */
export function listenForRetirements(
  redisUrl: string,
  retire: (r: Retirement) => number,
  log: Logger,
): RetirementListener {
  // A subscribed connection serves nothing else, so it is a connection of its own.
  const sub = new Redis(redisUrl, { maxRetriesPerRequest: null });
  sub.on("error", (err: Error) => log.warn(`retirement listener: ${err.message}`));
  sub.on("message", (_channel: string, message: string) => {
    const notice = parseRetirement(message);
    if (!notice) {
      log.warn("ignored a malformed retirement notice", { message: message.slice(0, 200) });
      return;
    }
    const count = retire(notice);
    if (count > 0) log.info("retired containers", { ...notice, containers: count });
  });
  let closed = false;
  sub.subscribe(retirements.channel).catch((err: Error) => {
    if (!closed) log.warn(`retirement listener could not subscribe: ${err.message}`);
  });
  return {
    close() {
      closed = true;
      sub.disconnect();
    },
  };
}
