// The loop that deletes executions ended longer ago than the retention
// (STRATUS_STATES_HISTORY_RETENTION_HOURS), with their histories, tokens and task
// links. Every control plane runs it; each batch is claimed with SKIP LOCKED, so
// several never wait on or double each other's work. Running executions are never
// touched, however old. Express executions, whose history AWS does not keep, go
// EXPRESS_KEEP_MS after their end (long enough for StartSyncExecution to read its result).
import type { Logger } from "@stratus/shared";
import { startRepeating } from "../repeating.js";
import type { ExecutionStore } from "../store/execution-store.js";

const BATCH = 500;
const INTERVAL_MS = 60_000;
const EXPRESS_KEEP_MS = 10 * 60_000;

export function startHistoryPurge(
  store: Pick<ExecutionStore, "purgeEnded">,
  opts: { retentionMs: number; intervalMs?: number; now?: () => number },
  log: Pick<Logger, "info" | "warn">,
): { stop(): Promise<void>; round(): Promise<number> } {
  const now = opts.now ?? Date.now;

  async function round(): Promise<number> {
    let total = 0;
    const passes: [number, boolean][] = [
      [Math.min(EXPRESS_KEEP_MS, opts.retentionMs), true],
      [opts.retentionMs, false],
    ];
    for (const [keepMs, expressOnly] of passes) {
      for (;;) {
        const purged = await store.purgeEnded(new Date(now() - keepMs), BATCH, expressOnly);
        total += purged;
        if (purged < BATCH || loop.stopped()) break;
      }
    }
    if (total > 0) log.info(`purged ${total} execution(s) past their retention`);
    return total;
  }

  const loop = startRepeating(round, {
    intervalMs: opts.intervalMs ?? INTERVAL_MS,
    onError: (err) => log.warn("could not purge ended executions", { err }),
  });
  return {
    round,
    stop: loop.stop,
  };
}
