// KafkaClient on kafkajs (pure JavaScript, no native build): a consumer in a group with
// manual commits and one batch per partition in flight, and a producer for the
// OnFailure topic. The client's own restart on failure is off: the mapping runner
// reconnects with its backoff and shows the problem meanwhile.
import { type IHeaders, Kafka, type KafkaConfig, logLevel, type SASLOptions } from "kafkajs";
import type { KafkaClient, KafkaConnection, KafkaConsumer, KafkaMessageIn, KafkaProducer } from "./kafka-client.js";

/** Partitions whose batches may wait on the function at once (each still one batch at a time). */
const PARTITIONS_AT_ONCE = 64;

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
      const kafka = new Kafka(config(c));
      let consumer: ReturnType<Kafka["consumer"]> | undefined;
      return {
        async start(groupId, topic, fromBeginning, onBatch) {
          const k = kafka.consumer({
            groupId,
            // A control plane kill -9'd mid-batch leaves the group within seconds, so that
            // the one taking its mapping's lease over gets the partitions soon.
            sessionTimeout: 10_000,
            rebalanceTimeout: 15_000,
            heartbeatInterval: 3000,
            // A fetch waits at most this long for records: a bound on the added latency
            // where a broker holds fetches to their maximum wait (the mock cluster seemed to).
            maxWaitTimeInMs: 1000,
            retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
          });
          consumer = k;
          k.on(k.events.CRASH, (e) => crashed?.(e.payload.error));
          await k.connect();
          await k.subscribe({ topic, fromBeginning });
          await k.run({
            autoCommit: false,
            partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
            eachBatch: async ({ batch, heartbeat }) => {
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
              if (messages.length > 0) await onBatch(messages, heartbeat);
            },
          });
        },
        async commit(topic, partition, next) {
          await consumer?.commitOffsets([{ topic, partition, offset: next }]);
        },
        onCrash(listener) {
          crashed = listener;
        },
        async stop() {
          await consumer?.disconnect().catch(() => undefined);
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
