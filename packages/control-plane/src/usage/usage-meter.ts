// Writes sync invokes' usage rows off the invoke's path: rows are held for up to
// LINGER_MS after the first of them (or until MAX_ROWS are held) and written in one
// INSERT, through natural batching (store/batcher.ts) when a write is still in
// flight. Sent one by one, back-to-back invokes each cost Postgres a statement and a
// commit beside the next invoke, which the warm benchmark saw as a millisecond
// more per call. A failed write is logged and counted, not retried: the invoke it
// meters has been answered. A crash loses at most LINGER_MS of held rows.
import type { Logger } from "@stratus/shared";
import { Counter, type Registry } from "prom-client";
import { createBatcher } from "../store/batcher.js";
import type { UsageRow } from "../store/usage-store.js";

/** How long the first held row waits for others before they are written together. */
const LINGER_MS = 100;
/** Held rows written at once, without waiting for the linger to end. */
const MAX_ROWS = 512;

export interface UsageMeter {
  /** Queues the row of a sync attempt; returns at once, never throws. */
  record(row: UsageRow): void;
  /** Resolves once every row queued so far is written (or failed). */
  flush(): Promise<void>;
}

export function createUsageMeter(
  write: (rows: UsageRow[]) => Promise<void>,
  registry: Registry,
  log: Pick<Logger, "error">,
): UsageMeter {
  const lost = new Counter({
    name: "stratus_usage_rows_lost_total",
    help: "Usage rows of sync invokes that could not be written to Postgres (their invokes go unmetered)",
    registers: [registry],
  });
  const batched = createBatcher<UsageRow[], undefined>(async (groups) => {
    await write(groups.flat());
    return groups.map(() => undefined);
  }, 8);
  const pending = new Set<Promise<void>>();
  let held: UsageRow[] = [];
  let lingering: NodeJS.Timeout | undefined;
  const send = () => {
    clearTimeout(lingering);
    lingering = undefined;
    const rows = held;
    held = [];
    if (rows.length === 0) return;
    const p: Promise<void> = batched(rows).then(
      () => undefined,
      (err: unknown) => {
        lost.inc(rows.length);
        log.error("usage rows not written", { rows: rows.length, firstRequestId: rows[0]?.requestId, err });
      },
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  return {
    record(row) {
      held.push(row);
      if (held.length >= MAX_ROWS) send();
      else if (!lingering) {
        lingering = setTimeout(send, LINGER_MS);
        lingering.unref();
      }
    },
    async flush() {
      send();
      await Promise.all([...pending]);
    },
  };
}
