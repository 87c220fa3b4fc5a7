// The loop that deletes secrets whose recovery window has passed. Every control plane
// runs it; the store claims each batch with SKIP LOCKED, so several never wait on or
// double each other's work, and a secret restored before its turn is not touched.
import type { Logger } from "@stratus/shared";
import type { SecretStore } from "../store/secret-store.js";

const BATCH = 100;

export interface SecretPurge {
  stop(): Promise<void>;
}

export function startSecretPurge(
  store: Pick<SecretStore, "purgeDue">,
  opts: { intervalMs: number },
  log: Pick<Logger, "info" | "warn">,
): SecretPurge {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  async function round(): Promise<void> {
    for (;;) {
      const purged = await store.purgeDue(BATCH);
      if (purged > 0) log.info(`purged ${purged} secret(s) past their recovery window`);
      if (purged < BATCH || stopped) return;
    }
  }

  const tick = () => {
    running = round()
      .catch((err: Error) => log.warn("could not purge deleted secrets", { err }))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
