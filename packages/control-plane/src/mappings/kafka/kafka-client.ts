// The small Kafka client interface the Kafka source is written against, so that the
// client library can be swapped (kafkajs today, kafkajs-client.ts; librdkafka's
// @confluentinc/kafka-javascript later) without touching the poller or the sender.

/** How to reach and authenticate to a cluster (resolved from the mapping and its secrets). */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  sasl?: { mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; username: string; password: string };
  /** TLS when present: a private CA and/or a client certificate (PEM). */
  ssl?: { ca?: string; cert?: string; key?: string; passphrase?: string };
}

export interface KafkaMessageIn {
  topic: string;
  partition: number;
  /** Offsets as decimal strings (64-bit). */
  offset: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  timestampType: "CREATE_TIME" | "LOG_APPEND_TIME";
  key: Buffer | null;
  value: Buffer | null;
  /** In record order; a key may repeat. */
  headers: Array<[string, Buffer]>;
}

export interface KafkaMessageOut {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<[string, Buffer]>;
}

/**
 * The group is rebalancing (or moved on without this member): thrown by a heartbeat or a
 * commit. `original` is the client's own error, thrown back to it from `onBatch` so that
 * it rejoins without marking the batch consumed.
 */
export class KafkaRebalance extends Error {
  constructor(readonly original: unknown) {
    super("The consumer group is rebalancing");
  }
}

/** Where a partition the group has no committed offset for starts: its first record, its end, or a time (ms). */
export type StartAt = "earliest" | "latest" | { timestamp: number };

export interface KafkaConsumer {
  /**
   * Joins `groupId`, subscribed to `topic` (from the earliest offset when the group has
   * none, at `start`), and hands each fetched batch, one partition's records in order, to
   * `onBatch`. The client fetches on once the promise settles (a poller that buffers ahead
   * settles it at once; holding it is backpressure); `heartbeat` keeps the group membership
   * alive meanwhile (it throws KafkaRebalance when the group rebalances). Rejects when the
   * cluster cannot be reached.
   */
  start(
    groupId: string,
    topic: string,
    start: StartAt,
    onBatch: (messages: KafkaMessageIn[], heartbeat: () => Promise<void>) => Promise<void>,
  ): Promise<void>;
  /** Commits `next` (the offset of the next record to process) for the group; KafkaRebalance if the group moved on. */
  commit(topic: string, partition: number, next: string): Promise<void>;
  /**
   * Called when the member, having joined once, is about to join the group again (a
   * rebalance: every partition it holds is revoked). The client sends its JoinGroup only
   * once the promise settles, heartbeating meanwhile, so the group gives no partition to
   * another member while the member still works on it.
   */
  onRevoke(listener: () => Promise<void>): void;
  /** Called each time the member has joined the group (first, and after every rebalance), with the partitions it was given. */
  onJoin(listener: (partitions: number[]) => void): void;
  /** Called once when the consumer stops by itself (broker lost, group error). */
  onCrash(listener: (err: Error) => void): void;
  stop(): Promise<void>;
}

export interface KafkaProducer {
  send(topic: string, messages: KafkaMessageOut[]): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaClient {
  consumer(c: KafkaConnection): KafkaConsumer;
  producer(c: KafkaConnection): KafkaProducer;
}
