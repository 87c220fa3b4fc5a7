// Wakes long polls when a message may have arrived: sends in this process wake their
// queue's waiters at once, and a connection LISTENing on the queue store's channel
// brings the sends of every other control plane. A waiter also wakes at its own
// deadline (the next message's visibility, or the poll's end), so a lost notification
// delays a receive, never loses it. The listening connection reconnects on its own.
import type { Logger } from "@stratus/shared";
import pg from "pg";
import { NOTIFY_CHANNEL } from "../store/sqs-messages.js";

export interface Arrivals {
  /** Resolves when queueId may have a new message, after `ms`, or when `signal` aborts. */
  wait(queueId: string, ms: number, signal?: AbortSignal): Promise<void>;
  /** Wakes this process' waiters on queueId. */
  notify(queueId: string): void;
  stop(): Promise<void>;
}

const RECONNECT_MS = 1_000;

export function startArrivals(connection: pg.ClientConfig, log: Logger): Arrivals {
  const waiters = new Map<string, Set<() => void>>();
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const notify = (queueId: string) => {
    const set = waiters.get(queueId);
    if (!set) return;
    waiters.delete(queueId);
    for (const wake of set) wake();
  };

  const listen = async () => {
    if (stopped) return;
    const c = new pg.Client(connection);
    const again = (err: Error) => {
      if (client !== c) return;
      client = undefined;
      c.end().catch(() => undefined);
      if (!stopped) {
        log.warn(`sqs: listening connection lost (${err.message}); long polls re-poll until it is back`);
        retry = setTimeout(listen, RECONNECT_MS);
      }
    };
    client = c;
    c.on("error", again);
    c.on("end", () => again(new Error("connection ended")));
    c.on("notification", (n) => {
      if (n.channel === NOTIFY_CHANNEL && n.payload) notify(n.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (err) {
      again(err as Error);
    }
  };
  void listen();

  return {
    wait(queueId, ms, signal) {
      return new Promise<void>((resolve) => {
        const set = waiters.get(queueId) ?? new Set<() => void>();
        waiters.set(queueId, set);
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          set.delete(done);
          if (set.size === 0 && waiters.get(queueId) === set) waiters.delete(queueId);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        if (signal?.aborted) return done();
        signal?.addEventListener("abort", done);
        set.add(done);
      });
    },
    notify,
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      for (const id of [...waiters.keys()]) notify(id);
      await c?.end().catch(() => undefined);
    },
  };
}
