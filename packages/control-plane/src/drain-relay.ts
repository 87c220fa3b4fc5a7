// A relay that drains requests other transactions wrote (executions to start, messages
// to fan out): a batch at a time until a batch comes back short, every `intervalMs`
// and at once when nudged, never two drains at once (a nudge during one waits for it).
import type { Logger } from "@stratus/shared";
import { startRepeating } from "./repeating.js";

export interface DrainRelay {
  /** New requests were written: drain now rather than at the next tick. */
  nudge(): void;
  stop(): Promise<void>;
}

/** `drainBatch` claims and handles up to `batch` requests, answering how many it claimed. */
export function startDrainRelay(
  drainBatch: () => Promise<number>,
  opts: { batch: number; intervalMs: number; what: string; log: Pick<Logger, "warn"> },
): DrainRelay {
  let active: Promise<void> | undefined;
  async function drainAll(): Promise<void> {
    for (;;) {
      const claimed = await drainBatch();
      if (claimed < opts.batch || loop.stopped()) return;
    }
  }
  const round = () => {
    active ??= drainAll().finally(() => {
      active = undefined;
    });
    return active;
  };
  const loop = startRepeating(round, {
    intervalMs: opts.intervalMs,
    onError: (err) => opts.log.warn(`could not ${opts.what}`, { err }),
  });
  return {
    nudge(): void {
      if (!loop.stopped()) round().catch((err: Error) => opts.log.warn(`could not ${opts.what}`, { err }));
    },
    stop: loop.stop,
  };
}
