import { describe, expect, it } from "vitest";
import type { InvokeRequest, InvokeResult } from "../../services/invoke-service.js";
import { kafkaEntry, kafkaEvent } from "./kafka-event.js";
import type { KafkaPoller, KafkaRecord } from "./kafka-poller.js";
import { createKafkaSender } from "./kafka-sender.js";

const record = (partition: number, offset: number, body: unknown): KafkaRecord => {
  const message = {
    topic: "t",
    partition,
    offset: String(offset),
    timestamp: Date.now(),
    timestampType: "CREATE_TIME" as const,
    key: null,
    value: Buffer.from(JSON.stringify(body)),
    headers: [],
  };
  const entry = kafkaEntry(message);
  return {
    message,
    entry,
    partition: `t-${partition}`,
    generation: 1,
    itemId: `t-${partition}-${offset}`,
    identity: `t-${partition}@${offset}`,
    size: 100,
    filterView: {},
  };
};

function fakePoller() {
  const log = { acked: [] as string[], retried: [] as string[], rejected: [] as string[], dead: [] as string[] };
  const ids = (rs: readonly KafkaRecord[]) => rs.map((r) => r.identity);
  const poller: KafkaPoller = {
    eventOverhead: 100,
    connect: async () => undefined,
    take: async () => [],
    event: (rs) =>
      kafkaEvent(
        ["b:1"],
        rs.map((r) => r.entry),
      ),
    ack: async (rs) => void log.acked.push(...ids(rs)),
    retry: async (rs) => void log.retried.push(...ids(rs)),
    reject: async (rs) => void log.rejected.push(...ids(rs)),
    deadLetter: async (_topic, rs) => void log.dead.push(...rs.map((r) => r.value?.toString() ?? "")),
    broken: () => undefined,
    close: async () => undefined,
    working: (work) => work(),
    current: () => true,
  };
  return { poller, log };
}

/** A function that fails any invocation holding a poison record, and records each invocation's offsets. */
function fakeFunction() {
  const calls: string[][] = [];
  return {
    calls,
    async invokeSync(req: InvokeRequest): Promise<InvokeResult> {
      const event = JSON.parse(req.payload.toString()) as ReturnType<typeof kafkaEvent>;
      const all = Object.values(event.records).flat();
      calls.push(all.map((r) => `${r.partition}@${r.offset}`));
      const poison = all.some((r) => JSON.parse(Buffer.from(r.value ?? "", "base64").toString()).poison);
      return {
        functionError: poison ? "Unhandled" : undefined,
        payload: Buffer.from(poison ? '{"errorType":"Error","errorMessage":"poison"}' : "{}"),
      } as InvokeResult;
    },
  };
}

const target = (policy: { maxRetries: number; maxAgeSeconds: number; bisect: boolean }, failureTopic?: string) => ({
  accountId: "123456789012",
  functionName: "f",
  functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
  policy,
  ...(failureTopic ? { failureTopic } : {}),
});

describe("the Kafka sender", () => {
  it("invokes each partition's records in order, one invocation per partition", async () => {
    const fn = fakeFunction();
    const { poller, log } = fakePoller();
    const sender = createKafkaSender(fn, target({ maxRetries: -1, maxAgeSeconds: -1, bisect: false }));
    const out = await sender.send(poller, [record(0, 1, {}), record(1, 7, {}), record(0, 2, {})]);
    expect(out).toEqual({ ok: true, sent: 3 });
    expect(fn.calls).toContainEqual(["0@1", "0@2"]);
    expect(fn.calls).toContainEqual(["1@7"]);
    expect(log.acked.sort()).toEqual(["t-0@1", "t-0@2", "t-1@7"]);
  });

  it("retries a failing batch, then gives it up to the OnFailure topic and moves on", async () => {
    const fn = fakeFunction();
    const { poller, log } = fakePoller();
    const sender = createKafkaSender(fn, target({ maxRetries: 1, maxAgeSeconds: -1, bisect: false }, "dlq"));
    const batch = [record(0, 1, { poison: true }), record(0, 2, {})];
    expect((await sender.send(poller, batch)).ok).toBe(false);
    expect(log.retried).toEqual(["t-0@1", "t-0@2"]);
    expect((await sender.send(poller, batch)).ok).toBe(true);
    expect(log.dead).toEqual(['{"poison":true}', "{}"]);
    expect(log.rejected).toEqual(["t-0@1", "t-0@2"]);
    expect(fn.calls).toHaveLength(2);
  });

  it("with bisect, isolates the poison record and delivers its neighbours", async () => {
    const fn = fakeFunction();
    const { poller, log } = fakePoller();
    const sender = createKafkaSender(fn, target({ maxRetries: 0, maxAgeSeconds: -1, bisect: true }, "dlq"));
    let left = [1, 2, 3, 4].map((o) => record(0, o, o === 3 ? { poison: true } : {}));
    for (let i = 0; i < 10 && left.length > 0; i++) {
      log.retried.length = 0;
      await sender.send(poller, left);
      left = left.filter((r) => log.retried.includes(r.identity));
    }
    expect(log.dead).toEqual(['{"poison":true}']);
    expect(log.acked.sort()).toEqual(["t-0@1", "t-0@2", "t-0@4"]);
  });

  it.each([
    ["a string", (o: number) => `t-0-${o}`],
    ["an object", (o: number) => ({ "topic-partition": "t-0", offset: o })],
  ])(
    "with ReportBatchItemFailures, commits up to the first failed record (%s) and retries from it",
    async (_, idOf) => {
      const { poller, log } = fakePoller();
      const fn = {
        invokeSync: async () =>
          ({
            payload: Buffer.from(
              JSON.stringify({ batchItemFailures: [{ itemIdentifier: idOf(4) }, { itemIdentifier: idOf(3) }] }),
            ),
          }) as InvokeResult,
      };
      const sender = createKafkaSender(fn, {
        ...target({ maxRetries: -1, maxAgeSeconds: -1, bisect: false }),
        reportItemFailures: true,
      });
      const out = await sender.send(
        poller,
        [1, 2, 3, 4, 5].map((o) => record(0, o, {})),
      );
      expect(out.ok).toBe(false);
      expect(log.acked).toEqual(["t-0@1", "t-0@2"]);
      expect(log.retried).toEqual(["t-0@3", "t-0@4", "t-0@5"]);
    },
  );

  it("with ReportBatchItemFailures, fails the whole batch on an identifier not in it", async () => {
    const { poller, log } = fakePoller();
    const fn = {
      invokeSync: async () =>
        ({
          payload: Buffer.from(JSON.stringify({ batchItemFailures: [{ itemIdentifier: "t-0-99" }] })),
        }) as InvokeResult,
    };
    const sender = createKafkaSender(fn, {
      ...target({ maxRetries: -1, maxAgeSeconds: -1, bisect: false }),
      reportItemFailures: true,
    });
    const out = await sender.send(poller, [record(0, 1, {}), record(0, 2, {})]);
    expect(out).toMatchObject({ ok: false, problem: expect.stringMatching(/invalid partial batch response/) });
    expect(log.acked).toEqual([]);
    expect(log.retried).toEqual(["t-0@1", "t-0@2"]);
  });

  it("without ReportBatchItemFailures, takes a response naming records as a success", async () => {
    const { poller, log } = fakePoller();
    const fn = {
      invokeSync: async () =>
        ({
          payload: Buffer.from(JSON.stringify({ batchItemFailures: [{ itemIdentifier: "t-0-1" }] })),
        }) as InvokeResult,
    };
    const sender = createKafkaSender(fn, target({ maxRetries: -1, maxAgeSeconds: -1, bisect: false }));
    expect(await sender.send(poller, [record(0, 1, {})])).toEqual({ ok: true, sent: 1 });
    expect(log.acked).toEqual(["t-0@1"]);
  });
});
