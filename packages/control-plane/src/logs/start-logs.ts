// CloudWatch Logs' part of a control plane, built in one place so the composition root
// gains a line, not a section: its store, the API's services, the ingestion of the
// invokers' log records, live tails (fed by ingestion here and, through Postgres
// LISTEN/NOTIFY, by the other control planes'), and the sweeper that enforces
// retention and the group cap.
import { randomUUID } from "node:crypto";
import type { InvocationLogRecord, Logger } from "@stratus/shared";
import type { Pool } from "pg";
import { createPgLogEventStore } from "../store/log-event-store.js";
import { createPgLogGroupTags } from "../store/log-group-tags.js";
import { createLogNoticeListener, type LogNotice } from "../store/log-notify.js";
import { createPgLogSweepStore } from "../store/log-sweep-store.js";
import { type BoundedDb, pgText } from "../store/pg-helpers.js";
import { createLiveTail } from "./live-tail.js";
import { createLiveTailHub } from "./live-tail-hub.js";
import { batchesOf } from "./log-model.js";
import { createLogReads } from "./log-reads.js";
import { createLogStreams } from "./log-streams.js";
import { startLogSweeper } from "./log-sweeper.js";
import { createLogTags } from "./log-tags.js";
import { createLogsService } from "./logs-service.js";

export function startLogs(
  pool: Pool,
  opts: {
    region: string;
    dbStatementTimeoutMs: number;
    logs: { sweepMs: number; maxGroupBytes: number; liveTailSessions: number };
    log: Logger;
  },
) {
  const store = createPgLogEventStore(pool, opts.dbStatementTimeoutMs);
  const sweeper = startLogSweeper(
    createPgLogSweepStore(pool, opts.dbStatementTimeoutMs),
    { intervalMs: opts.logs.sweepMs, maxGroupBytes: opts.logs.maxGroupBytes },
    opts.log,
  );
  const origin = randomUUID();
  const hub = createLiveTailHub();
  // Another control plane's lines: read by id, only for groups someone here watches.
  const fromElsewhere = (n: LogNotice) => {
    if (n.origin === origin || !hub.watched(n.accountId, n.group)) return;
    store.eventsByIds(n.accountId, n.group, n.ranges).then(
      (events) => hub.publish(n.accountId, n.group, events),
      (err: Error) => opts.log.warn(`live tail could not read notified log events: ${err.message}`),
    );
  };
  const listener = createLogNoticeListener(pool, fromElsewhere, opts.log);
  const liveTail = createLiveTail(store, hub, {
    maxSessionsPerAccount: opts.logs.liveTailSessions,
    onWatch: () => listener.start(),
  });
  return {
    service: createLogsService(store, opts.region),
    streams: createLogStreams(store),
    tags: createLogTags(createPgLogGroupTags(pool, opts.dbStatementTimeoutMs), opts.region),
    reads: createLogReads(store),
    liveTail,
    /**
     * Writes freshly stored invocation logs as their streams' events, in the transaction
     * `tx` that stored them; the function it returns hands them to this process's live
     * tails, once that transaction has committed.
     */
    ingest: async (records: InvocationLogRecord[], tx: BoundedDb): Promise<() => void> => {
      const batches = batchesOf(records);
      const now = Date.now();
      await store.append(batches, tx, now, origin);
      return () => {
        for (const b of batches) {
          const events = b.events.map((e) => ({
            stream: b.stream,
            timestamp: e.timestamp,
            ingestionTime: now,
            message: pgText(e.message),
          }));
          hub.publish(b.accountId, b.group, events);
        }
      };
    },
    async stop() {
      liveTail.closeAll();
      await listener.stop();
      await sweeper.stop();
    },
  };
}
