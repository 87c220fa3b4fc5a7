// One Postgres LISTEN on a connection of its own (made with a pool's settings),
// reopened after a failure until stopped. It tells when it is listening (again) and
// when it has stopped hearing: notices sent in between are lost, so whoever caches
// by them forgets what it holds at both.
import type { Logger } from "@stratus/shared";
import pg, { type Pool } from "pg";

const RECONNECT_MS = 1000;

export interface PgListener {
  /** Starts listening (once; later calls do nothing). */
  start(): void;
  /** Whether notices are being heard now. */
  listening(): boolean;
  stop(): Promise<void>;
}

export interface PgListenerHandlers {
  notice(payload: string): void;
  /** The LISTEN is in place (at start, and after each reconnection). */
  heard?(): void;
  /** The connection failed: notices may be missed until `heard` again. */
  lost?(): void;
}

/** `what` names the listener in the warning its lost connection logs. */
export function createPgListener(
  pool: Pool,
  channel: string,
  handlers: PgListenerHandlers,
  log: Pick<Logger, "warn">,
  what: string,
): PgListener {
  let client: pg.Client | undefined;
  let heard = false;
  let started = false;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client(pool.options);
    client = c;
    c.on("notification", (m) => {
      if (m.channel === channel && m.payload) handlers.notice(m.payload);
    });
    c.on("error", (err) => again(c, err));
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      if (client !== c) return;
      heard = true;
      handlers.heard?.();
    } catch (err) {
      again(c, err as Error);
    }
  };
  const again = (c: pg.Client, err: Error) => {
    if (client !== c) return;
    client = undefined;
    if (heard) {
      heard = false;
      handlers.lost?.();
    }
    void c.end().catch(() => undefined);
    if (stopped) return;
    log.warn(`${what} lost its Postgres listener (${err.message}); reconnecting`);
    retry = setTimeout(() => void connect(), RECONNECT_MS);
    retry.unref();
  };

  return {
    start() {
      if (started) return;
      started = true;
      void connect();
    },
    listening: () => heard,
    async stop() {
      stopped = true;
      heard = false;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
