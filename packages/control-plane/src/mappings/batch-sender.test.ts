import { decideTrace, StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { InvokeRequest, InvokeResult } from "../services/invoke-service.js";
import { createBatchSender } from "./batch-sender.js";
import type { SourcePoller, SourceRecord } from "./source-poller.js";

interface Rec extends SourceRecord {
  n: number;
}

const rec = (n: number, size = 10): Rec => ({ n, size, identity: `id-${n}`, filterView: { data: { n } } });

/** A poller over fixed records that remembers how each was settled. */
function fakePoller() {
  const settled: Array<[string, number[]]> = [];
  const poller: SourcePoller<Rec> = {
    connect: async () => undefined,
    take: async () => [],
    event: (records) => ({ ns: records.map((r) => r.n) }),
    eventOverhead: 10,
    ack: async (rs) => void (rs.length && settled.push(["ack", rs.map((r) => r.n)])),
    retry: async (rs) => void (rs.length && settled.push(["retry", rs.map((r) => r.n)])),
    reject: async (rs) => void (rs.length && settled.push(["reject", rs.map((r) => r.n)])),
    broken: () => undefined,
    close: async () => undefined,
  };
  return { poller, settled };
}

/** Invokes as `answer` says for the batch of record numbers it gets; records each batch. */
function fakeInvoke(answer: (ns: number[]) => "ok" | "fail" | "throttle") {
  const calls: number[][] = [];
  return {
    calls,
    async invokeSync(req: InvokeRequest): Promise<InvokeResult> {
      const ns = (JSON.parse(req.payload.toString()) as { ns: number[] }).ns;
      calls.push(ns);
      const a = answer(ns);
      if (a === "throttle") throw errorsThrottle();
      return {
        requestId: "r",
        executedVersion: "$LATEST",
        trace: decideTrace(undefined, "PassThrough"),
        payload: Buffer.from(a === "ok" ? "{}" : '{"errorType":"Error","errorMessage":"boom"}'),
        ...(a === "fail" ? { functionError: "Unhandled" as const } : {}),
      };
    },
  };
}
const errorsThrottle = () => new StratusError("TooManyRequestsException", 429, "platform", "Rate exceeded");
const target = { accountId: "123456789012", functionName: "f", maxRetries: 1 };

describe("batch sender", () => {
  it("acks a batch the function took", async () => {
    const { poller, settled } = fakePoller();
    const invoke = fakeInvoke(() => "ok");
    expect(await createBatchSender(invoke, target).send(poller, [rec(1), rec(2)])).toEqual({ ok: true, sent: 2 });
    expect(invoke.calls).toEqual([[1, 2]]);
    expect(settled).toEqual([["ack", [1, 2]]]);
  });

  it("acks and drops what FilterCriteria rejects, without invoking for it", async () => {
    const { poller, settled } = fakePoller();
    const invoke = fakeInvoke(() => "ok");
    const filters = [{ Pattern: JSON.stringify({ data: { n: [{ numeric: [">", 1] }] } }) }];
    await createBatchSender(invoke, { ...target, filters }).send(poller, [rec(1), rec(2), rec(3)]);
    expect(invoke.calls).toEqual([[2, 3]]);
    expect(settled).toEqual([
      ["ack", [1]],
      ["ack", [2, 3]],
    ]);
  });

  it("splits a batch over the payload limit, in order", async () => {
    const { poller } = fakePoller();
    const invoke = fakeInvoke(() => "ok");
    await createBatchSender(invoke, target, 100).send(poller, [rec(1, 40), rec(2, 40), rec(3, 40)]);
    expect(invoke.calls).toEqual([[1, 2], [3]]);
  });

  it("requeues a failed batch as suspects, then retries each alone and gives up on the poison one", async () => {
    const { poller, settled } = fakePoller();
    const invoke = fakeInvoke((ns) => (ns.includes(2) ? "fail" : "ok"));
    const sender = createBatchSender(invoke, target);
    const first = await sender.send(poller, [rec(1), rec(2), rec(3)]);
    expect(first).toMatchObject({ ok: false, problem: "Function call failed: Error: boom", platform: false });
    // Redelivered: each alone now; 1 succeeds, 2 fails (retry 1 of 1), 3 waits behind it.
    await sender.send(poller, [rec(1), rec(2), rec(3)]);
    // Redelivered again: 2 fails alone past its retries and is rejected; 3 goes through.
    await sender.send(poller, [rec(2), rec(3)]);
    await sender.send(poller, [rec(3)]);
    expect(invoke.calls).toEqual([[1, 2, 3], [1], [2], [2], [3]]);
    expect(settled).toEqual([
      ["retry", [1, 2, 3]],
      ["ack", [1]],
      ["retry", [2, 3]],
      ["reject", [2]],
      ["retry", [3]],
      ["ack", [3]],
    ]);
  });

  it("requeues everything not done on a throttle, uncounted", async () => {
    const { poller, settled } = fakePoller();
    const invoke = fakeInvoke(() => "throttle");
    const out = await createBatchSender(invoke, target, 30).send(poller, [rec(1), rec(2)]);
    expect(out).toMatchObject({ ok: false, platform: true, problem: "Rate exceeded" });
    expect(settled).toEqual([["retry", [1, 2]]]);
  });

  describe("with ReportBatchItemFailures", () => {
    const withIds = (n: number): Rec => ({ ...rec(n), itemId: `m${n}` });
    /** Answers every batch with `payload` (the function succeeded). */
    const answering = (payload: string) => ({
      calls: [] as number[][],
      async invokeSync(req: InvokeRequest): Promise<InvokeResult> {
        this.calls.push((JSON.parse(req.payload.toString()) as { ns: number[] }).ns);
        return {
          requestId: "r",
          executedVersion: "$LATEST",
          trace: decideTrace(undefined, "PassThrough"),
          payload: Buffer.from(payload),
        };
      },
    });
    const partial = {
      ...target,
      maxRetries: Number.POSITIVE_INFINITY,
      reportItemFailures: true,
      isolateSuspects: false,
    };

    it("acks the records the function did not name and retries the named ones", async () => {
      const { poller, settled } = fakePoller();
      const invoke = answering('{"batchItemFailures":[{"itemIdentifier":"m2"}]}');
      const out = await createBatchSender(invoke, partial).send(poller, [withIds(1), withIds(2), withIds(3)]);
      expect(out).toEqual({ ok: true, sent: 2 });
      expect(settled).toEqual([
        ["ack", [1, 3]],
        ["retry", [2]],
      ]);
    });

    it("fails the whole batch on a malformed response", async () => {
      const { poller, settled } = fakePoller();
      const invoke = answering('{"batchItemFailures":[{"itemIdentifier":"nope"}]}');
      const out = await createBatchSender(invoke, partial).send(poller, [withIds(1), withIds(2)]);
      expect(out).toMatchObject({ ok: false, problem: expect.stringMatching(/invalid partial batch response/) });
      expect(settled).toEqual([["retry", [1, 2]]]);
    });

    it("ignores the response when the mapping did not ask for it", async () => {
      const { poller, settled } = fakePoller();
      const invoke = answering('{"batchItemFailures":[{"itemIdentifier":"m1"}]}');
      await createBatchSender(invoke, { ...partial, reportItemFailures: false }).send(poller, [withIds(1)]);
      expect(settled).toEqual([["ack", [1]]]);
    });

    it("keeps failed records batched when suspects are not isolated", async () => {
      const { poller } = fakePoller();
      const invoke = fakeInvoke(() => "fail");
      const sender = createBatchSender(invoke, partial);
      await sender.send(poller, [withIds(1), withIds(2)]);
      await sender.send(poller, [withIds(1), withIds(2)]);
      expect(invoke.calls).toEqual([
        [1, 2],
        [1, 2],
      ]);
    });
  });
});
