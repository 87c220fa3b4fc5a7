// The Kafka source: one member of the mapping's consumer group, subscribed to its
// topic; the group gives each partition to one member at a time (docs/EVENT-SOURCES.md,
// "Kafka pollers"). Fetched records are buffered in order (the client waits while the
// buffer is over its high-water mark), so the next batch is ready while the function
// runs. Settling commits the partition's offset up to the first record not yet settled;
// a retried record goes back to the buffer's head.
//
// A rebalance revokes every partition of the member (kafkajs's eager protocol). Before
// the member rejoins, what is buffered is dropped (uncommitted, so the partition's next
// owner fetches it from the committed offset), no invocation is started, and the ones
// under way finish and commit. Records are stamped with the member's generation (one
// per join), and one of an older generation is never invoked or committed.
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

export interface KafkaRecord extends SourceRecord {
  message: KafkaMessageIn;
  entry: KafkaEntry;
  /** "<topic>-<partition>" */
  partition: string;
  /** The member's generation (join) it was fetched in. */
  generation: number;
}

export interface KafkaSource {
  bootstrapServers: string[];
  topic: string;
  groupId: string;
  start: StartAt;
  /** Records buffered before the client is made to wait. */
  highWater: number;
  /** Told the partitions this member was given, at each join of the group. */
  onAssigned?: (partitions: number[]) => void;
  /** Resolves credentials at each connect (throws SourceProblem when they cannot be had). */
  connection: () => Promise<KafkaConnection>;
}

export interface KafkaPoller extends SourcePoller<KafkaRecord> {
  /**
   * Runs `work` (invoking records of one partition and settling them) unless the
   * partition may be revoked: a rebalance waits for it before the member rejoins.
   */
  working<T>(work: () => Promise<T>): Promise<T>;
  /** The records may be invoked: fetched in the member's current generation, no rebalance pending. */
  current(records: readonly KafkaRecord[]): boolean;
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
  /** Counts the member's joins of the group; a record carries the one it was fetched in. */
  let generation = 0;
  /** Set from a rebalance being seen (or the client about to rejoin) until the member has joined again. */
  let revoking: { error?: KafkaRebalance } | undefined;
  const buffer: KafkaRecord[] = [];
  const ledgers = new Map<string, PartitionLedger>();
  const arrival = createArrival();
  const overhead = Buffer.byteLength(JSON.stringify(kafkaEvent(s.bootstrapServers, [])));
  /** Partition sends under way (invoking and settling). */
  let working = 0;
  let idle: Array<() => void> = [];
  /** Fetches waiting for room in the buffer. */
  let roomWaiters: Array<() => void> = [];

  const wakeAll = (list: Array<() => void>) => {
    for (const done of list) done();
  };
  const releaseRoom = () => {
    const list = roomWaiters;
    roomWaiters = [];
    wakeAll(list);
  };
  const isCurrent = (r: KafkaRecord) => r.generation === generation;
  /** A rebalance: nothing more is invoked, and what is buffered is dropped (not committed). */
  const revoke = (error?: KafkaRebalance) => {
    revoking ??= {};
    revoking.error ??= error;
    buffer.length = 0;
    releaseRoom();
  };
  const isRevoking = () => revoking !== undefined;
  const rebalanceError = () => revoking?.error ?? new KafkaRebalance(undefined);
  /** Resolves once no partition send is under way (or the poller is closed). */
  const quiet = () =>
    working === 0 || closed ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve));

  async function onBatch(messages: KafkaMessageIn[], heartbeat: () => Promise<void>): Promise<void> {
    if (closed || broken) return;
    // Rebalancing: the client is made to rejoin, and the new generation fetches from the committed offsets.
    if (revoking) throw rebalanceError();
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
        generation,
        identity: `${key}@${m.offset}`,
        itemId: kafkaItemId(m.topic, m.partition, m.offset),
        size: Buffer.byteLength(JSON.stringify(entry)) + 1,
        filterView: kafkaFilterView(entry, m),
      });
    }
    ledgers.set(key, ledger);
    arrival.signal();
    const full = () => buffer.length > s.highWater && !closed && !broken && !revoking;
    if (full()) {
      // Held for room: the group sees this member alive, and a rebalance ends the hold.
      const beat = setInterval(() => {
        heartbeat().catch((err) => {
          if (err instanceof KafkaRebalance) revoke(err);
        });
      }, HEARTBEAT_MS);
      try {
        while (full()) await new Promise<void>((resolve) => roomWaiters.push(resolve));
      } finally {
        clearInterval(beat);
      }
    }
    // Not returning normally keeps the client from taking the batch as consumed.
    if (isRevoking() && !closed) throw rebalanceError();
  }

  async function settle(records: readonly KafkaRecord[]): Promise<void> {
    if (!consumer || broken || closed) return;
    const byPartition = new Map<string, KafkaRecord[]>();
    // Fetched in an older generation: the partition's owner now fetches it again from the committed offset.
    for (const r of records.filter(isCurrent))
      byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
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
          if (err instanceof KafkaRebalance) revoke(err);
          else {
            broken ??= new SourceProblem(
              `Could not commit offsets at ${where}: ${(err as Error).message.slice(0, 200)}`,
            );
            releaseRoom();
          }
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
        releaseRoom();
        arrival.signal();
      });
      // About to rejoin: the member lets go of every partition before the group hands them out again.
      c.onRevoke(async () => {
        revoke();
        await quiet();
      });
      // Joined (again): a new generation, whose offsets start from the committed ones.
      c.onJoin((partitions) => {
        generation++;
        revoking = undefined;
        buffer.length = 0;
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
      const out = buffer.splice(0, max);
      if (buffer.length <= s.highWater) releaseRoom();
      return out;
    },
    event: (records) =>
      kafkaEvent(
        s.bootstrapServers,
        records.map((r) => r.entry),
      ),
    ack: settle,
    async retry(records) {
      // Broken or revoked: not committed, so fetched again by the partition's owner.
      if (broken || closed || revoking) return;
      buffer.unshift(...records.filter(isCurrent));
    },
    // Given up on (already written to the OnFailure destination, if any): the partition moves on.
    reject: settle,
    async working(work) {
      working++;
      try {
        return await work();
      } finally {
        if (--working === 0) {
          const list = idle;
          idle = [];
          wakeAll(list);
        }
      }
    },
    current: (records) => !revoking && !closed && records.every(isCurrent),
    async deadLetter(topic, records) {
      if (!connection) throw new SourceProblem("Not connected to the Kafka cluster.");
      producer ??= client.producer(connection);
      await producer.send(topic, [...records]);
    },
    broken: () => broken,
    async close() {
      closed = true;
      buffer.length = 0;
      releaseRoom();
      wakeAll(idle.splice(0));
      await consumer?.stop();
      await producer?.close();
    },
  };
}
