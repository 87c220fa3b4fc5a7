// Every control plane runs this loop: each interval it runs a rollup pass
// (store/usage-rollup-store.ts), and runs another at once while a pass rolled a full
// window (catching up) or pruned a full batch. Only the control plane that locks the
// watermark row rolls; the others skip their turn, so rollups are never doubled.
import type { Logger } from "@stratus/shared";
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
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function round(): Promise<void> {
    while (!stopped) {
      const pass = await store.rollUp(opts);
      if (!pass) return;
      const w = pass.window;
      if (w) log.info("usage rolled up", { from: w.from.toISOString(), to: w.to.toISOString(), pruned: pass.pruned });
      const full = (w && w.to.getTime() - w.from.getTime() >= opts.maxHours * HOUR) || pass.pruned >= opts.pruneBatch;
      if (!full) return;
    }
  }

  const tick = () => {
    running = round()
      .catch((err: unknown) => log.warn(`usage rollup failed: ${(err as Error).message}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs);
      });
  };
  timer = setTimeout(tick, opts.intervalMs);
  return {
    runOnce: () => store.rollUp(opts),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
