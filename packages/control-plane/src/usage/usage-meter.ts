// Writes sync invokes' usage rows off the invoke's path: a row is queued once the
// answer has gone out (setImmediate runs after the handler's write), and rows go to
// Postgres through natural batching (store/batcher.ts): one INSERT for all the rows
// that came while the previous one ran. A failed write is logged and counted, not
// retried: the invoke it meters has been answered.
import type { Logger } from "@stratus/shared";
import { Counter, type Registry } from "prom-client";
import { createBatcher } from "../store/batcher.js";
import type { UsageRow } from "../store/usage-store.js";

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
  const batched = createBatcher<UsageRow, undefined>(async (rows) => {
    await write(rows);
    return rows.map(() => undefined);
  }, 512);
  const pending = new Set<Promise<void>>();
  const send = (row: UsageRow) => {
    const p: Promise<void> = batched(row).then(
      () => undefined,
      (err: unknown) => {
        lost.inc();
        log.error("usage row not written", { requestId: row.requestId, err });
      },
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  return {
    record(row) {
      setImmediate(send, row);
    },
    async flush() {
      // Rows queued by setImmediate are sent on the next turn: wait for it first.
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([...pending]);
    },
  };
}
