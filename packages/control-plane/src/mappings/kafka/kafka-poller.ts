// The Kafka source: one consumer in the mapping's consumer group, subscribed to its
// topic. Fetched records are buffered in order (the client waits while the buffer is
// over its high-water mark), so the next batch is ready while the function runs; the
// sender keeps one batch in flight per partition. Settling commits the partition's
// offset up to the first record not yet settled; a retried record goes back to the
// buffer's head.

import { createArrival } from "../arrival.js";
import type { SourcePoller, SourceRecord } from "../source-poller.js";
import { SourceProblem } from "../source-poller.js";
import type { KafkaClient, KafkaConnection, KafkaConsumer, KafkaMessageIn, KafkaProducer } from "./kafka-client.js";
import { type KafkaEntry, kafkaEntry, kafkaEvent, kafkaFilterView, partitionKey } from "./kafka-event.js";
import { commitPoint, emptyLedger, type PartitionLedger, settled, taken } from "./offsets.js";

export interface KafkaRecord extends SourceRecord {
  message: KafkaMessageIn;
  entry: KafkaEntry;
  /** "<topic>-<partition>" */
  partition: string;
}

export interface KafkaSource {
  bootstrapServers: string[];
  topic: string;
  groupId: string;
  fromBeginning: boolean;
  /** Records buffered before the client is made to wait. */
  highWater: number;
  /** Resolves credentials at each connect (throws SourceProblem when they cannot be had). */
  connection: () => Promise<KafkaConnection>;
}

export interface KafkaPoller extends SourcePoller<KafkaRecord> {
  /** Writes records to `topic` on the same cluster (the OnFailure destination). */
  deadLetter(
    topic: string,
    records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null; headers: Array<[string, Buffer]> }>,
  ): Promise<void>;
}

const HEARTBEAT_MS = 3000;

function problemOf(err: Error, where: string): SourceProblem {
  const m = err.message.slice(0, 200);
  if (/SASL|[Aa]uthentication/.test(m)) return new SourceProblem(`SASL authentication failed at ${where}: ${m}`);
  return new SourceProblem(`Connection error. Stratus could not connect to the Kafka cluster at ${where} (${m}).`);
}

export function createKafkaPoller(s: KafkaSource, client: KafkaClient): KafkaPoller {
  const where = s.bootstrapServers.join(",");
  let consumer: KafkaConsumer | undefined;
  let producer: KafkaProducer | undefined;
  let connection: KafkaConnection | undefined;
  let broken: SourceProblem | undefined;
  let closed = false;
  const buffer: KafkaRecord[] = [];
  const ledgers = new Map<string, PartitionLedger>();
  const arrival = createArrival();
  const overhead = Buffer.byteLength(JSON.stringify(kafkaEvent(s.bootstrapServers, [])));

  /** Fetches waiting for room in the buffer. */
  let roomWaiters: Array<() => void> = [];
  const releaseAll = () => {
    const list = roomWaiters;
    roomWaiters = [];
    for (const done of list) done();
  };

  async function onBatch(messages: KafkaMessageIn[], heartbeat: () => Promise<void>): Promise<void> {
    if (closed || broken) return;
    const first = messages[0] as KafkaMessageIn;
    const key = partitionKey(first.topic, first.partition);
    let ledger = ledgers.get(key) ?? emptyLedger();
    for (const m of messages) {
      ledger = taken(ledger, BigInt(m.offset));
      const entry = kafkaEntry(m);
      buffer.push({
        message: m,
        entry,
        partition: key,
        identity: `${key}@${m.offset}`,
        size: Buffer.byteLength(JSON.stringify(entry)) + 1,
        filterView: kafkaFilterView(entry, m),
      });
    }
    ledgers.set(key, ledger);
    arrival.signal();
    while (buffer.length > s.highWater && !closed && !broken) {
      await new Promise<void>((resolve) => {
        const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
        roomWaiters.push(() => {
          clearInterval(beat);
          resolve();
        });
      });
    }
  }

  async function settle(records: readonly KafkaRecord[]): Promise<void> {
    if (!consumer || broken || closed) return;
    const byPartition = new Map<string, KafkaRecord[]>();
    for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
    for (const [key, list] of byPartition) {
      const before = ledgers.get(key) ?? emptyLedger();
      const after = settled(before, new Set(list.map((r) => BigInt(r.message.offset))));
      ledgers.set(key, after);
      const from = commitPoint(before);
      const to = commitPoint(after);
      const m = (list[0] as KafkaRecord).message;
      if (to !== undefined && to !== from) {
        try {
          await consumer.commit(m.topic, m.partition, to.toString());
        } catch (err) {
          broken ??= new SourceProblem(`Could not commit offsets at ${where}: ${(err as Error).message.slice(0, 200)}`);
          releaseAll();
        }
      }
    }
  }

  return {
    eventOverhead: overhead,
    async connect() {
      connection = await s.connection();
      const c = client.consumer(connection);
      consumer = c;
      c.onCrash((err) => {
        broken ??= problemOf(err, where);
        releaseAll();
        arrival.signal();
      });
      try {
        await c.start(s.groupId, s.topic, s.fromBeginning, onBatch);
      } catch (err) {
        await c.stop();
        consumer = undefined;
        throw problemOf(err as Error, where);
      }
    },
    async take(max, waitMs, signal) {
      if (buffer.length === 0 && !broken) await arrival.wait(waitMs, signal);
      const out = buffer.splice(0, max);
      if (buffer.length <= s.highWater) releaseAll();
      return out;
    },
    event: (records) =>
      kafkaEvent(
        s.bootstrapServers,
        records.map((r) => r.entry),
      ),
    ack: settle,
    async retry(records) {
      if (broken || closed) return;
      buffer.unshift(...records);
    },
    // Given up on (already written to the OnFailure destination, if any): the partition moves on.
    reject: settle,
    async deadLetter(topic, records) {
      if (!connection) throw new SourceProblem("Not connected to the Kafka cluster.");
      producer ??= client.producer(connection);
      await producer.send(topic, [...records]);
    },
    broken: () => broken,
    async close() {
      closed = true;
      buffer.length = 0;
      releaseAll();
      await consumer?.stop();
      await producer?.close();
    },
  };
}
