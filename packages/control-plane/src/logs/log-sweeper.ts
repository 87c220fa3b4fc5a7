// Enforces log retention and the per-group byte cap by deletion, in the background.
// Each tick claims a few groups due a sweep in Postgres (claimSweep: SKIP LOCKED, then
// marked swept), so several control planes share the work and never sweep one group
// at once; a group is swept at most once per interval. A failed tick is logged and
// the next one tries again.
import type { Logger } from "@stratus/shared";
import { startRepeating } from "../repeating.js";
import type { LogSweepStore } from "../store/log-sweep-store.js";

const GROUPS_PER_TICK = 20;
const DAY_MS = 86_400_000;

export interface LogSweeper {
  /** One tick: sweeps the groups claimed; returns how many events it deleted. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

export function startLogSweeper(
  store: LogSweepStore,
  opts: { intervalMs: number; maxGroupBytes: number; now?: () => number },
  log: Pick<Logger, "warn" | "info">,
): LogSweeper {
  const now = opts.now ?? Date.now;

  async function tick(): Promise<number> {
    let deleted = 0;
    for (const g of await store.claimSweep(opts.maxGroupBytes, opts.intervalMs, GROUPS_PER_TICK)) {
      if (g.retentionDays !== undefined) {
        deleted += await store.expire(g.accountId, g.group, now() - g.retentionDays * DAY_MS);
      }
      deleted += await store.trim(g.accountId, g.group, opts.maxGroupBytes);
    }
    return deleted;
  }

  const loop = startRepeating(tick, {
    intervalMs: opts.intervalMs,
    firstAfterMs: opts.intervalMs,
    onError: (err) => log.warn(`log sweep failed: ${err.message}`),
    unref: true,
  });
  return { tick, stop: () => loop.stop() };
}
