// The Kafka poller and sender across a rebalance, over a scripted client: records are
// fetched ahead while a batch is at the function, and a rebalance drops what is
// buffered, waits for the invocation under way to finish and commit before the member
// rejoins, and never invokes a record fetched before it.
import { describe, expect, it } from "vitest";
import type { InvokeRequest, InvokeResult } from "../../services/invoke-service.js";
import type { KafkaClient, KafkaConsumer, KafkaMessageIn } from "./kafka-client.js";
import type { kafkaEvent } from "./kafka-event.js";
import { createKafkaPoller } from "./kafka-poller.js";
import { createKafkaSender } from "./kafka-sender.js";

const message = (partition: number, offset: number): KafkaMessageIn => ({
  topic: "t",
  partition,
  offset: String(offset),
  timestamp: Date.now(),
  timestampType: "CREATE_TIME",
  key: null,
  value: Buffer.from("{}"),
  headers: [],
});

/** A consumer whose fetches, rebalances and commits the test drives and sees. */
function scriptedClient() {
  let onBatch: ((m: KafkaMessageIn[], heartbeat: () => Promise<void>) => Promise<void>) | undefined;
  let revoke: (() => Promise<void>) | undefined;
  let join: ((partitions: number[]) => void) | undefined;
  const commits: string[] = [];
  const consumer: KafkaConsumer = {
    async start(_group, _topic, _start, handler) {
      onBatch = handler;
      join?.([0, 1]);
    },
    async commit(_topic, partition, next) {
      commits.push(`${partition}:${next}`);
    },
    onRevoke(l) {
      revoke = l;
    },
    onJoin(l) {
      join = l;
    },
    onCrash: () => undefined,
    stop: async () => undefined,
  };
  const client: KafkaClient = {
    consumer: () => consumer,
    producer: () => ({ send: async () => undefined, close: async () => undefined }),
  };
  return {
    client,
    commits,
    /** Hands a fetched batch of one partition to the poller; settles as the poller lets the fetch go. */
    fetch: (partition: number, offsets: number[]) =>
      (onBatch as NonNullable<typeof onBatch>)(
        offsets.map((o) => message(partition, o)),
        async () => undefined,
      ),
    /** The client about to rejoin: resolves once the poller has let every partition go. */
    revoke: () => (revoke as NonNullable<typeof revoke>)(),
    join: (partitions: number[]) => (join as NonNullable<typeof join>)(partitions),
  };
}

/** A function whose invocations the test lets finish, one at a time; each invocation's records. */
function heldFunction() {
  const calls: string[][] = [];
  const waiting: Array<() => void> = [];
  return {
    calls,
    finishOne: () => waiting.shift()?.(),
    running: () => waiting.length,
    async invokeSync(req: InvokeRequest): Promise<InvokeResult> {
      const event = JSON.parse(req.payload.toString()) as ReturnType<typeof kafkaEvent>;
      calls.push(
        Object.values(event.records)
          .flat()
          .map((r) => `${r.partition}@${r.offset}`),
      );
      await new Promise<void>((resolve) => waiting.push(resolve));
      return { payload: Buffer.from("{}") } as InvokeResult;
    },
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup() {
  const kafka = scriptedClient();
  const poller = createKafkaPoller(
    {
      bootstrapServers: ["b:1"],
      topic: "t",
      groupId: "g",
      start: "earliest",
      highWater: 1000,
      connection: async () => ({ brokers: ["b:1"], clientId: "c" }),
    },
    kafka.client,
  );
  const fn = heldFunction();
  const sender = createKafkaSender(fn, {
    accountId: "123456789012",
    functionName: "f",
    functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
    policy: { maxRetries: -1, maxAgeSeconds: -1, bisect: false },
  });
  const signal = new AbortController().signal;
  const take = (max: number) => poller.take(max, 0, signal);
  return { kafka, poller, fn, sender, take };
}

describe("the Kafka poller across a rebalance", () => {
  it("fetches ahead while a batch is at the function", async () => {
    const { kafka, poller, fn, sender, take } = setup();
    await poller.connect();
    await kafka.fetch(0, [0, 1]);
    const sending = sender.send(poller, await take(2));
    await tick();
    expect(fn.running()).toBe(1);
    // The next fetch is not held by the batch under way.
    await kafka.fetch(0, [2, 3]);
    expect((await take(10)).map((r) => r.identity)).toEqual(["t-0@2", "t-0@3"]);
    fn.finishOne();
    await sending;
    expect(kafka.commits).toEqual(["0:2"]);
  });

  it("drops a revoked partition's buffered records, waits for the invocation under way, and never invokes the dropped ones", async () => {
    const { kafka, poller, fn, sender, take } = setup();
    await poller.connect();
    await kafka.fetch(0, [0, 1]);
    await kafka.fetch(1, [0, 1]);
    const sending = sender.send(poller, await take(2));
    await tick();
    expect(fn.calls).toEqual([["0@0", "0@1"]]);
    // Fetched ahead while 0@0..1 is at the function, and gathered by the runner for its next batch.
    await kafka.fetch(0, [2, 3]);
    const gathered = await take(2);
    expect(gathered.map((r) => r.identity)).toEqual(["t-1@0", "t-1@1"]);

    let revoked = false;
    const revoking = kafka.revoke().then(() => {
      revoked = true;
    });
    await tick();
    // The invocation under way holds the rejoin; nothing buffered is left to take.
    expect(revoked).toBe(false);
    expect(await take(10)).toEqual([]);

    fn.finishOne();
    await sending;
    await revoking;
    expect(revoked).toBe(true);
    expect(kafka.commits).toEqual(["0:2"]);

    // Partition 0 went to another member; what was gathered before the rebalance is not invoked.
    kafka.join([1]);
    await sender.send(poller, gathered);
    await poller.retry(gathered);
    expect(fn.calls).toEqual([["0@0", "0@1"]]);
    expect(await take(10)).toEqual([]);
    expect(kafka.commits).toEqual(["0:2"]);

    // The new generation fetches partition 1 again from its committed offset, and goes on.
    await kafka.fetch(1, [0, 1]);
    const again = sender.send(poller, await take(10));
    await tick();
    fn.finishOne();
    await again;
    expect(fn.calls).toEqual([
      ["0@0", "0@1"],
      ["1@0", "1@1"],
    ]);
    expect(kafka.commits).toEqual(["0:2", "1:2"]);
  });

  it("does not hold a rejoin when nothing is at the function", async () => {
    const { kafka, poller, take } = setup();
    await poller.connect();
    await kafka.fetch(0, [0, 1, 2]);
    await kafka.revoke();
    expect(await take(10)).toEqual([]);
    // A batch handed over while rebalancing is refused, so the client rejoins without taking it as consumed.
    await expect(kafka.fetch(0, [3])).rejects.toThrow(/rebalancing/);
    kafka.join([0, 1]);
    await kafka.fetch(0, [0, 1, 2, 3]);
    expect((await take(10)).map((r) => r.identity)).toEqual(["t-0@0", "t-0@1", "t-0@2", "t-0@3"]);
  });
});
