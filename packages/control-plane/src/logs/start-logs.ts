// CloudWatch Logs' part of a control plane, built in one place so the composition root
// gains a line, not a section: its store, the API's services, the ingestion of the
// invokers' log records, and the sweeper that enforces retention and the group cap.
import type { InvocationLogRecord, Logger } from "@stratus/shared";
import type { Pool } from "pg";
import { createPgLogEventStore } from "../store/log-event-store.js";
import { createPgLogSweepStore } from "../store/log-sweep-store.js";
import type { BoundedDb } from "../store/pg-helpers.js";
import { batchesOf } from "./log-model.js";
import { createLogReads } from "./log-reads.js";
import { startLogSweeper } from "./log-sweeper.js";
import { createLogsService } from "./logs-service.js";

export function startLogs(
  pool: Pool,
  opts: { region: string; dbStatementTimeoutMs: number; logs: { sweepMs: number; maxGroupBytes: number }; log: Logger },
) {
  const store = createPgLogEventStore(pool, opts.dbStatementTimeoutMs);
  const sweeper = startLogSweeper(
    createPgLogSweepStore(pool, opts.dbStatementTimeoutMs),
    { intervalMs: opts.logs.sweepMs, maxGroupBytes: opts.logs.maxGroupBytes },
    opts.log,
  );
  return {
    service: createLogsService(store, opts.region),
    reads: createLogReads(store),
    /** Writes freshly stored invocation logs as their streams' events, in the transaction `tx` that stored them. */
    ingest: (records: InvocationLogRecord[], tx: BoundedDb) => store.append(batchesOf(records), tx),
    stop: () => sweeper.stop(),
  };
}
