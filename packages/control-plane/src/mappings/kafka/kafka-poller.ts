// The Kafka source: one consumer in the mapping's consumer group, subscribed to its
// topic. Each fetched batch (one partition's records in order) is buffered and held
// until all its records are settled, so a partition has one batch in flight and is
// fetched no further meanwhile. Settling commits the partition's offset up to the
// first record not yet settled; a retried record goes back to the buffer's head.
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
  /** Per partition, the waiters of fetched batches: resolved once nothing of theirs is open. */
  const waiting = new Map<string, Array<{ last: bigint; done: () => void }>>();
  let wake: (() => void) | undefined;
  const overhead = Buffer.byteLength(JSON.stringify(kafkaEvent(s.bootstrapServers, [])));

  const release = (key: string) => {
    const point = commitPoint(ledgers.get(key) ?? emptyLedger());
    const list = waiting.get(key) ?? [];
    const still = list.filter((w) => !(closed || broken || (point !== undefined && point > w.last)));
    for (const w of list) if (!still.includes(w)) w.done();
    waiting.set(key, still);
  };
  const releaseAll = () => {
    for (const key of waiting.keys()) release(key);
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
    wake?.();
    const last = BigInt((messages.at(-1) as KafkaMessageIn).offset);
    await new Promise<void>((resolve) => {
      const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
      const list = waiting.get(key) ?? [];
      list.push({
        last,
        done: () => {
          clearInterval(beat);
          resolve();
        },
      });
      waiting.set(key, list);
    });
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
      release(key);
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
        wake?.();
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
      if (buffer.length === 0 && !broken && waitMs > 0 && !signal.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, Number.isFinite(waitMs) ? waitMs : 2 ** 31 - 1);
          signal.addEventListener("abort", done);
          wake = done;
        });
      }
      return buffer.splice(0, max);
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
