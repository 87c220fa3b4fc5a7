// Every control plane runs this loop: each interval it runs a rollup pass
// (store/usage-rollup-store.ts), and runs another at once while a pass rolled a full
// window (catching up) or pruned a full batch. Only the control plane that locks the
// watermark row rolls; the others skip their turn, so rollups are never doubled.
import type { Logger } from "@stratus/shared";
import { startRepeating } from "../repeating.js";
import type { RollupOptions, UsageRollupStore } from "../store/usage-rollup-store.js";

export interface RollupLoop {
  /** Runs one pass now (tests, or an operator's nudge); undefined if another control plane holds it. */
  runOnce(): ReturnType<UsageRollupStore["rollUp"]>;
  stop(): Promise<void>;
}

const HOUR = 3_600_000;

export function startRollupLoop(
  store: UsageRollupStore,
  opts: RollupOptions & { intervalMs: number },
  log: Pick<Logger, "warn" | "info">,
): RollupLoop {
  async function round(): Promise<void> {
    while (!loop.stopped()) {
      const pass = await store.rollUp(opts);
      if (!pass) return;
      const w = pass.window;
      if (w) log.info("usage rolled up", { from: w.from.toISOString(), to: w.to.toISOString(), pruned: pass.pruned });
      const full = (w && w.to.getTime() - w.from.getTime() >= opts.maxHours * HOUR) || pass.pruned >= opts.pruneBatch;
      if (!full) return;
    }
  }

  const loop = startRepeating(round, {
    intervalMs: opts.intervalMs,
    firstAfterMs: opts.intervalMs,
    onError: (err) => log.warn(`usage rollup failed: ${err.message}`),
  });
  return {
    runOnce: () => store.rollUp(opts),
    stop: loop.stop,
  };
}
