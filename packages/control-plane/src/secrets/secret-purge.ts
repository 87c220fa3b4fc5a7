// The loop that deletes secrets whose recovery window has passed. Every control plane
// runs it; the store claims each batch with SKIP LOCKED, so several never wait on or
// double each other's work, and a secret restored before its turn is not touched.
import type { Logger } from "@stratus/shared";
import { startRepeating } from "../repeating.js";
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
  async function round(): Promise<void> {
    for (;;) {
      const purged = await store.purgeDue(BATCH);
      if (purged > 0) log.info(`purged ${purged} secret(s) past their recovery window`);
      if (purged < BATCH || loop.stopped()) return;
    }
  }

  const loop = startRepeating(round, {
    intervalMs: opts.intervalMs,
    onError: (err) => log.warn("could not purge deleted secrets", { err }),
  });
  return { stop: loop.stop };
}
