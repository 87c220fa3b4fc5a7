// KafkaClient on kafkajs (pure JavaScript, no native build): a consumer in a group with
// manual commits, a hook run before it rejoins a rebalancing group, and a producer for
// the OnFailure topic. The client's own restart on failure is off: the mapping runner
// reconnects with its backoff and shows the problem meanwhile.
import {
  type Admin,
  type Consumer,
  type IHeaders,
  Kafka,
  type KafkaConfig,
  logLevel,
  type PartitionAssigner,
  PartitionAssigners,
  type SASLOptions,
} from "kafkajs";
import {
  type KafkaClient,
  type KafkaConnection,
  type KafkaConsumer,
  type KafkaMessageIn,
  type KafkaProducer,
  KafkaRebalance,
} from "./kafka-client.js";
import { timestampSeeks } from "./offsets.js";

/** Partitions whose fetched batches are handed over side by side. */
const PARTITIONS_AT_ONCE = 64;
const HEARTBEAT_MS = 3000;

function sasl(s: NonNullable<KafkaConnection["sasl"]>): SASLOptions {
  const { username, password } = s;
  if (s.mechanism === "plain") return { mechanism: "plain", username, password };
  if (s.mechanism === "scram-sha-256") return { mechanism: "scram-sha-256", username, password };
  return { mechanism: "scram-sha-512", username, password };
}

function config(c: KafkaConnection): KafkaConfig {
  return {
    clientId: c.clientId,
    brokers: c.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    ...(c.sasl ? { sasl: sasl(c.sasl) } : {}),
    ...(c.ssl ? { ssl: c.ssl } : {}),
  };
}

/** kafkajs's own test (errors.isRebalancing, not exported): the group moved on or is moving. */
const REBALANCE_TYPES = new Set([
  "REBALANCE_IN_PROGRESS",
  "NOT_COORDINATOR_FOR_GROUP",
  "ILLEGAL_GENERATION",
  "UNKNOWN_MEMBER_ID",
]);

async function rebalanceAware<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const type = (err as { type?: unknown }).type;
    throw typeof type === "string" && REBALANCE_TYPES.has(type) ? new KafkaRebalance(err) : err;
  }
}

/**
 * kafkajs has no revocation callback: it sends JoinGroup as soon as it sees the group
 * rebalancing (after the batches handed out have returned). Its join starts by looking
 * up the group coordinator on the consumer's own cluster, the one a partition assigner
 * is made with, so the round-robin assigner is made through this wrapper, which has that
 * lookup wait for `beforeJoin` (kafkajs 2.2.4, consumerGroup.js; pinned by the lockfile,
 * and kafka-poller.test.ts and tests/esm-kafka-partitions.test.ts show a rebalance waits).
 */
function joinGated(beforeJoin: () => Promise<void>): PartitionAssigner {
  return (config) => {
    const cluster = config.cluster;
    const lookup = cluster.findGroupCoordinator.bind(cluster);
    cluster.findGroupCoordinator = async (group) => {
      await beforeJoin();
      return lookup(group);
    };
    return PartitionAssigners.roundRobin(config);
  };
}

/** Seeks the given partitions with no committed offset to the first record at or after the start time. */
async function seekToTimestamp(
  admin: Admin,
  consumer: Consumer,
  groupId: string,
  topic: string,
  assigned: number[],
  start: { timestamp: number },
): Promise<void> {
  if (assigned.length === 0) return;
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const atTime = await admin.fetchTopicOffsetsByTimestamp(topic, start.timestamp);
  for (const s of timestampSeeks(assigned, committed?.partitions ?? [], atTime)) consumer.seek({ topic, ...s });
}

function headers(h: IHeaders | undefined): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  for (const [k, v] of Object.entries(h ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) out.push([k, Buffer.from(one)]);
  }
  return out;
}

/** Headers as kafkajs takes them: a repeated key's values as an array, in order. */
function headerMap(list: Array<[string, Buffer]>): IHeaders {
  const out: Record<string, Buffer[]> = {};
  for (const [k, v] of list) out[k] = [...(out[k] ?? []), v];
  return Object.fromEntries(Object.entries(out).map(([k, vs]) => [k, vs.length === 1 ? (vs[0] as Buffer) : vs]));
}

export function createKafkajsClient(): KafkaClient {
  return {
    consumer(c): KafkaConsumer {
      let crashed: ((err: Error) => void) | undefined;
      let joined: ((partitions: number[]) => void) | undefined;
      let revoked: (() => Promise<void>) | undefined;
      /** Set at the first join: a later join is a rebalance. */
      let member = false;
      /** The group heartbeat of the latest batch (kafkajs's own, valid for the consumer's life). */
      let beat: (() => Promise<void>) | undefined;
      /** Runs the revocation listener before a rejoin, heartbeating so that the session lasts. */
      const beforeJoin = async () => {
        if (!member || !revoked) return;
        const timer = setInterval(() => void beat?.().catch(() => undefined), HEARTBEAT_MS);
        try {
          await revoked();
        } finally {
          clearInterval(timer);
        }
      };
      const admins: Admin[] = [];
      const kafka = new Kafka(config(c));
      let consumer: ReturnType<Kafka["consumer"]> | undefined;
      return {
        async start(groupId, topic, start, onBatch) {
          const k = kafka.consumer({
            groupId,
            // A control plane kill -9'd mid-batch leaves the group within seconds, so that
            // the one taking its mapping's lease over gets the partitions soon.
            sessionTimeout: 10_000,
            rebalanceTimeout: 15_000,
            heartbeatInterval: HEARTBEAT_MS,
            partitionAssigners: [joinGated(beforeJoin)],
            // A fetch waits at most this long for records: a bound on the added latency
            // where a broker holds fetches to their maximum wait (the mock cluster seemed to).
            maxWaitTimeInMs: 1000,
            retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
          });
          consumer = k;
          k.on(k.events.CRASH, (e) => crashed?.(e.payload.error));
          k.on(k.events.GROUP_JOIN, (e) => {
            member = true;
            joined?.([...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b));
          });
          await k.connect();
          await k.subscribe({ topic, fromBeginning: start === "earliest" });
          /** Settled once this join's AT_TIMESTAMP seeks are set; batches wait for it. */
          let positioned: Promise<void> = Promise.resolve();
          if (typeof start === "object") {
            const admin = kafka.admin();
            admins.push(admin);
            await admin.connect();
            k.on(k.events.GROUP_JOIN, (e) => {
              const assigned = e.payload.memberAssignment[topic] ?? [];
              positioned = seekToTimestamp(admin, k, groupId, topic, assigned, start).catch((err: Error) =>
                crashed?.(err),
              );
            });
          }
          await k.run({
            autoCommit: false,
            partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
            eachBatch: async ({ batch, heartbeat, isStale }) => {
              beat = heartbeat;
              await positioned;
              // Fetched before an AT_TIMESTAMP seek: the seek sets where the next fetch starts.
              if (isStale()) return;
              const messages: KafkaMessageIn[] = batch.messages.map((m) => ({
                topic: batch.topic,
                partition: batch.partition,
                offset: m.offset,
                timestamp: Number(m.timestamp),
                timestampType: "CREATE_TIME",
                key: m.key,
                value: m.value,
                headers: headers(m.headers),
              }));
              if (messages.length === 0) return;
              try {
                await onBatch(messages, () => rebalanceAware(heartbeat));
              } catch (err) {
                // The client's own rebalance error makes it rejoin without resolving the batch.
                throw err instanceof KafkaRebalance ? (err.original ?? err) : err;
              }
            },
          });
        },
        async commit(topic, partition, next) {
          await rebalanceAware(async () => consumer?.commitOffsets([{ topic, partition, offset: next }]));
        },
        onRevoke(listener) {
          revoked = listener;
        },
        onJoin(listener) {
          joined = listener;
        },
        onCrash(listener) {
          crashed = listener;
        },
        async stop() {
          await consumer?.disconnect().catch(() => undefined);
          for (const a of admins.splice(0)) await a.disconnect().catch(() => undefined);
        },
      };
    },
    producer(c): KafkaProducer {
      const producer = new Kafka(config(c)).producer({ allowAutoTopicCreation: true });
      let connected: Promise<void> | undefined;
      return {
        async send(topic, messages) {
          connected ??= producer.connect().catch((err: Error) => {
            connected = undefined;
            throw err;
          });
          await connected;
          await producer.send({
            topic,
            acks: -1,
            messages: messages.map((m) => ({
              key: m.key,
              value: m.value,
              headers: headerMap(m.headers),
            })),
          });
        },
        async close() {
          if (connected) await producer.disconnect().catch(() => undefined);
        },
      };
    },
  };
}
