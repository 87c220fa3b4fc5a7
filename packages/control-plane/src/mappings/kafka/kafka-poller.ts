// The Kafka source: one member of the mapping's consumer group, subscribed to its
// topic; the group gives each partition to one member at a time (docs/EVENT-SOURCES.md,
// "Kafka pollers"). A fetched batch is buffered in order and its fetch is held until
// every record of it is settled, so the client rejoins a rebalancing group only once
// nothing of a partition it may lose is still at the function. Settling commits the
// partition's offset up to the first record not yet settled; a retried record goes
// back to the buffer's head. A rebalance (seen by a heartbeat or a refused commit)
// drops what is buffered and not yet sent: it is not committed, so the partition's
// next owner (maybe this member again) fetches it from the committed offset.
import { createArrival } from "../arrival.js";
import type { SourcePoller, SourceRecord } from "../source-poller.js";
import { SourceProblem } from "../source-poller.js";
import {
  type KafkaClient,
  type KafkaConnection,
  type KafkaConsumer,
  type KafkaMessageIn,
  type KafkaProducer,
  KafkaRebalance,
  type StartAt,
} from "./kafka-client.js";
import { type KafkaEntry, kafkaEntry, kafkaEvent, kafkaFilterView, kafkaItemId, partitionKey } from "./kafka-event.js";
import { commitPoint, emptyLedger, type PartitionLedger, settled, taken } from "./offsets.js";

/** The records of one fetched batch not yet settled; the fetch is held until there are none. */
interface Fetched {
  left: number;
  done: () => void;
}

export interface KafkaRecord extends SourceRecord {
  message: KafkaMessageIn;
  entry: KafkaEntry;
  /** "<topic>-<partition>" */
  partition: string;
  fetched: Fetched;
}

export interface KafkaSource {
  bootstrapServers: string[];
  topic: string;
  groupId: string;
  start: StartAt;
  /** Told the partitions this member was given, at each join of the group. */
  onAssigned?: (partitions: number[]) => void;
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
  /** Set from a rebalance being seen until the member has joined the group again. */
  let draining: KafkaRebalance | undefined;
  const buffer: KafkaRecord[] = [];
  const ledgers = new Map<string, PartitionLedger>();
  const holding = new Set<Fetched>();
  const arrival = createArrival();
  const overhead = Buffer.byteLength(JSON.stringify(kafkaEvent(s.bootstrapServers, [])));

  const release = (records: readonly KafkaRecord[]) => {
    for (const r of records) if (--r.fetched.left === 0) r.fetched.done();
  };
  /** Lets every held fetch go (closing or broken: nothing more will be settled). */
  const releaseAll = () => {
    for (const f of [...holding]) f.done();
  };
  /** A rebalance: what is buffered is dropped (uncommitted), and the fetches end once their records at the function are settled. */
  const drain = (r: KafkaRebalance) => {
    draining ??= r;
    release(buffer.splice(0));
  };

  async function onBatch(messages: KafkaMessageIn[], heartbeat: () => Promise<void>): Promise<void> {
    if (closed || broken) return;
    if (draining) throw draining;
    const first = messages[0] as KafkaMessageIn;
    const key = partitionKey(first.topic, first.partition);
    let ledger = ledgers.get(key) ?? emptyLedger();
    let unhold!: () => void;
    const held = new Promise<void>((resolve) => {
      unhold = resolve;
    });
    const fetched: Fetched = { left: messages.length, done: () => undefined };
    fetched.done = () => {
      holding.delete(fetched);
      unhold();
    };
    holding.add(fetched);
    for (const m of messages) {
      ledger = taken(ledger, BigInt(m.offset));
      const entry = kafkaEntry(m);
      buffer.push({
        message: m,
        entry,
        partition: key,
        fetched,
        identity: `${key}@${m.offset}`,
        itemId: kafkaItemId(m.topic, m.partition, m.offset),
        size: Buffer.byteLength(JSON.stringify(entry)) + 1,
        filterView: kafkaFilterView(entry, m),
      });
    }
    ledgers.set(key, ledger);
    arrival.signal();
    const beat = setInterval(() => {
      heartbeat().catch((err) => {
        if (err instanceof KafkaRebalance) drain(err);
      });
    }, HEARTBEAT_MS);
    try {
      await held;
    } finally {
      clearInterval(beat);
    }
    // Not returning normally keeps the client from marking dropped records as consumed.
    if (draining && !closed) throw draining;
  }

  async function settle(records: readonly KafkaRecord[]): Promise<void> {
    if (!consumer || broken || closed) return release(records);
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
          if (err instanceof KafkaRebalance) drain(err);
          else
            broken ??= new SourceProblem(
              `Could not commit offsets at ${where}: ${(err as Error).message.slice(0, 200)}`,
            );
        }
      }
    }
    release(records);
    if (broken) releaseAll();
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
      // Joined (again): nothing is held any more, and the offsets start from the committed ones.
      c.onJoin((partitions) => {
        draining = undefined;
        ledgers.clear();
        s.onAssigned?.(partitions);
      });
      try {
        await c.start(s.groupId, s.topic, s.start, onBatch);
      } catch (err) {
        await c.stop();
        consumer = undefined;
        throw problemOf(err as Error, where);
      }
    },
    async take(max, waitMs, signal) {
      if (buffer.length === 0 && !broken) await arrival.wait(waitMs, signal);
      return buffer.splice(0, max);
    },
    event: (records) =>
      kafkaEvent(
        s.bootstrapServers,
        records.map((r) => r.entry),
      ),
    ack: settle,
    async retry(records) {
      // Broken or rebalancing: not committed, so fetched again by the partition's owner.
      if (broken || closed || draining) return release(records);
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
