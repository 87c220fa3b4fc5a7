// The SQS service of a control plane: its queue and message operations by name, as
// both protocols' routes call them, and the long-poll wakeups they share.
import type { Logger } from "@stratus/shared";
import type pg from "pg";
import type { Pool } from "pg";
import { startArrivals } from "./arrivals.js";
import { createMessageOps } from "./message-ops.js";
import { createQueueRefs, type QueueRefs } from "./queue-refs.js";
import { createQueueOps, type SqsOp } from "./queue-service.js";
import { createPgQueueStore } from "./queue-store.js";
import { createTaskMessages, type TaskMessages } from "./task-messages.js";

export interface Sqs {
  ops: Record<string, SqsOp>;
  /** For services configured with a queue ARN (dead letters, destinations). */
  refs: QueueRefs;
  /** For Step Functions' sqs:sendMessage tasks. */
  taskMessages: TaskMessages;
  stop(): Promise<void>;
}

export function startSqs(pool: Pool, opts: { region: string; dbStatementTimeoutMs: number; log: Logger }): Sqs {
  const store = createPgQueueStore(pool, opts.dbStatementTimeoutMs);
  const arrivals = startArrivals((pool as unknown as { options: pg.ClientConfig }).options, opts.log);
  const queues = createQueueOps(store, opts.region);
  const messages = createMessageOps(store, arrivals, queues.queueOf);
  return {
    ops: { ...queues.ops, ...messages },
    refs: createQueueRefs(store, opts.region),
    taskMessages: createTaskMessages(store),
    stop: () => arrivals.stop(),
  };
}
