// The contract between the generic mapping runner (state, poll loop, backoff, batching,
// invoking) and one kind of event source. A source hands out records in order and
// settles each as the runner decides; it builds Lambda's event for its own records.
// RabbitMQ is the first (rabbitmq/rmq-poller.ts); Kafka and SQS-compatible queues
// implement the same interface.

/** One record as the runner sees it; the source keeps what it needs to settle it. */
export interface SourceRecord {
  /** Bytes the record adds to its event (its JSON). */
  size: number;
  /** What FilterCriteria patterns are matched against. */
  filterView: Record<string, unknown>;
  /** A key that names the record across redeliveries (for counting its failures). */
  identity: string;
  /** What a partial batch response names the record by (batchItemFailures[].itemIdentifier), where the source has one. */
  itemId?: string;
}

export interface SourcePoller<R extends SourceRecord = SourceRecord> {
  /** Connects; throws SourceProblem when the source cannot be reached or refuses us. */
  connect(): Promise<void>;
  /**
   * Up to `max` records in source order: those ready now, else waits up to `waitMs`
   * for the first (resolves with none then, or early when `signal` aborts).
   */
  take(max: number, waitMs: number, signal: AbortSignal): Promise<R[]>;
  /** Lambda's event for these records (one invocation). */
  event(records: readonly R[]): unknown;
  /** Bytes of event() with no records. */
  readonly eventOverhead: number;
  /** Done with: processed, or filtered out. */
  ack(records: readonly R[]): Promise<void>;
  /** Back to the source to be delivered again, in place. */
  retry(records: readonly R[]): Promise<void>;
  /** Given up on: to the source's dead-letter path. */
  reject(records: readonly R[]): Promise<void>;
  /** Set once the connection broke: the runner reconnects. */
  broken(): SourceProblem | undefined;
  close(): Promise<void>;
}

/** A source problem shown as LastProcessingResult "PROBLEM: <message>". */
export class SourceProblem extends Error {}

/** Opens a poller for one mapping's source, its settings as of `revision`. */
export type PollerFactory = () => SourcePoller;
