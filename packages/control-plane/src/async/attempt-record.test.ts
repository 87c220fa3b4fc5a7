import { decideTrace } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { InvokeResult } from "../services/invoke-service.js";
import type { FinishEvent } from "../store/async-state.js";
import type { AsyncInvocation, AsyncStore, FinishFields } from "../store/async-store.js";
import type { Verdict } from "./async-decisions.js";
import type { AttemptCall } from "./attempt-call.js";
import { type RecordDeps, recordAttempt } from "./attempt-record.js";
import type { NewJob } from "./queue/async-queue.js";

const SINK = "arn:aws:lambda:us-east-1:123456789012:function:sink";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:results";
const inv: AsyncInvocation = {
  id: "11111111-1111-4111-8111-111111111111",
  accountId: "123456789012",
  functionName: "f",
  payload: Buffer.from('{"n":1}'),
  status: "running",
  attempt: 2,
  invokeCount: 3,
  givenBack: 0,
  maxAttempts: 4,
  maxEventAgeSeconds: 3600,
  acceptedAt: new Date(),
};
const result = (functionError?: "Unhandled"): InvokeResult => ({
  payload: Buffer.from(functionError ? '{"errorMessage":"no"}' : '"ok"'),
  requestId: inv.id,
  executedVersion: "7",
  trace: decideTrace(undefined, "PassThrough"),
  ...(functionError ? { functionError } : {}),
});

/** Records `call` as `verdict` says, against a store whose finish answers `moves`; returns what was written. */
async function record(
  call: AttemptCall,
  verdict: Verdict,
  moves = true,
  deps: Partial<RecordDeps> = {},
  invocation: AsyncInvocation = inv,
) {
  const finishes: { event: FinishEvent; fields: FinishFields }[] = [];
  const added: NewJob[] = [];
  const store = {
    async finish(_id: string, _attempt: number, event: FinishEvent, fields: FinishFields) {
      finishes.push({ event, fields });
      return moves;
    },
  } as unknown as AsyncStore;
  const queue = {
    async add(job: NewJob) {
      added.push(job);
    },
  };
  await recordAttempt({ store, queue, region: "us-east-1", ...deps }, invocation, call, verdict, (begin) => begin());
  return { finishes, added };
}

/** The destination record a follow-up carries. */
const recordOf = (fields: FinishFields | undefined) => JSON.parse(fields?.followUp?.payload.toString("utf8") ?? "null");

describe("recordAttempt", () => {
  it("records a success with its executed version, spending the attempt and counting the invoke", async () => {
    const { finishes, added } = await record(
      { outcome: "success", ageMs: 0, reachedNode: true, result: result() },
      { event: "succeed" },
    );
    expect(finishes).toEqual([
      { event: "succeed", fields: { executedVersion: "7", refundAttempt: false, refundInvoke: false } },
    ]);
    expect(added).toEqual([]);
  });

  it("delivers a success to its destination, in the same move", async () => {
    const { finishes } = await record(
      { outcome: "success", ageMs: 0, reachedNode: true, result: result() },
      { event: "succeed", delivery: { target: SINK, condition: "Success" } },
    );
    const delivered = recordOf(finishes[0]?.fields);
    expect(finishes[0]?.fields.followUp).toMatchObject({ functionName: "sink", accountId: inv.accountId });
    expect(delivered.requestContext).toMatchObject({
      requestId: inv.id,
      condition: "Success",
      approximateInvokeCount: 3,
    });
    expect(delivered.responsePayload).toBe("ok");
  });

  it("records a retry with its error and next job, then queues that job with its delay", async () => {
    const error = { errorMessage: "no" };
    const { finishes, added } = await record(
      { outcome: "function_error", ageMs: 0, reachedNode: true, result: result("Unhandled"), error },
      { event: "retry", delayMs: 750 },
    );
    const jobId = finishes[0]?.fields.jobId as string;
    expect(jobId).toMatch(new RegExp(`^${inv.id}_a2-[0-9a-f]{8}$`));
    expect(finishes).toEqual([
      {
        event: "retry",
        fields: { error, refundAttempt: false, refundInvoke: false, retryAfterMs: 750, jobId },
      },
    ]);
    expect(added).toEqual([{ invocationId: inv.id, jobId, delayMs: 750 }]);
  });

  it("queues no job for a retry whose attempt was stale", async () => {
    const { added } = await record(
      { outcome: "platform_error", ageMs: 0, reachedNode: false, error: {} },
      { event: "retry", delayMs: 750 },
      false,
    );
    expect(added).toEqual([]);
  });

  it("gives back the attempt, not the invoke, of a call that reached a node before it failed", async () => {
    const error = { errorType: "ServiceException" };
    const { finishes } = await record(
      { outcome: "platform_error", ageMs: 0, reachedNode: true, error },
      { event: "fail", delivery: { target: SINK, condition: "RetriesExhausted" } },
    );
    expect(finishes[0]?.event).toBe("fail");
    expect(finishes[0]?.fields).toMatchObject({ error, refundAttempt: true, refundInvoke: false });
    expect(finishes[0]?.fields).not.toHaveProperty("executedVersion");
    expect(recordOf(finishes[0]?.fields).requestContext).toMatchObject({
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    });
  });

  it("records an event too old to run as expired, giving back both counts", async () => {
    const error = { errorType: "EventAgeExceeded", errorMessage: "Event too old" };
    const { finishes } = await record(
      { outcome: "too_old", ageMs: 3600_001, reachedNode: false, error },
      { event: "expire", delivery: { target: SINK, condition: "EventAgeExceeded" } },
    );
    expect(finishes[0]?.event).toBe("expire");
    expect(finishes[0]?.fields).toMatchObject({ error, refundAttempt: true, refundInvoke: true });
    expect(recordOf(finishes[0]?.fields).requestContext).toMatchObject({
      condition: "EventAgeExceeded",
      approximateInvokeCount: 2,
    });
  });

  it("dead-letters a function error with its executed version and no follow-up", async () => {
    const error = { errorMessage: "no" };
    const { finishes } = await record(
      { outcome: "function_error", ageMs: 0, reachedNode: true, result: result("Unhandled"), error },
      { event: "dead_letter" },
    );
    expect(finishes).toEqual([
      {
        event: "dead_letter",
        fields: { error, refundAttempt: false, refundInvoke: false, executedVersion: "7" },
      },
    ]);
  });

  it("publishes a success's destination record to an SNS topic in the same move, and nudges SNS once it is", async () => {
    let nudged = 0;
    const published = () => {
      nudged++;
    };
    const { finishes } = await record(
      { outcome: "success", ageMs: 0, reachedNode: true, result: result() },
      { event: "succeed", delivery: { target: TOPIC, condition: "Success" } },
      true,
      { published },
    );
    const fields = finishes[0]?.fields;
    expect(fields?.followUp).toBeUndefined();
    expect(fields?.letters).toBeUndefined();
    expect(fields?.publishes).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        accountId: inv.accountId,
        topicArn: TOPIC,
        message: expect.any(String),
      },
    ]);
    const message = JSON.parse(fields?.publishes?.[0]?.message ?? "null");
    expect(message).toMatchObject({
      version: "1.0",
      requestContext: { requestId: inv.id, condition: "Success", approximateInvokeCount: 3 },
      requestPayload: { n: 1 },
      responseContext: { statusCode: 200, executedVersion: "7" },
      responsePayload: "ok",
    });
    expect(nudged).toBe(1);

    // A stale attempt moves nothing and nudges nothing.
    await record(
      { outcome: "success", ageMs: 0, reachedNode: true, result: result() },
      { event: "succeed", delivery: { target: TOPIC, condition: "Success" } },
      false,
      { published },
    );
    expect(nudged).toBe(1);
  });

  it("derives a message's id from the ending: the same one twice, a new one once re-driven", async () => {
    const call: AttemptCall = { outcome: "success", ageMs: 0, reachedNode: true, result: result() };
    const verdict: Verdict = { event: "succeed", delivery: { target: TOPIC, condition: "Success" } };
    const idOf = async (invocation: AsyncInvocation) =>
      (await record(call, verdict, true, {}, invocation)).finishes[0]?.fields.publishes?.[0]?.id;
    const first = await idOf(inv);
    expect(await idOf({ ...inv })).toBe(first);
    expect(await idOf({ ...inv, acceptedAt: new Date(inv.acceptedAt.getTime() + 1) })).not.toBe(first);
    expect(await idOf({ ...inv, id: "22222222-2222-4222-8222-222222222222" })).not.toBe(first);
  });

  it("publishes a discarded event to a DeadLetterConfig topic with Lambda's attributes, beside an OnFailure topic", async () => {
    const error = { errorType: "Error", errorMessage: "always fails" };
    const { finishes } = await record(
      { outcome: "function_error", ageMs: 0, reachedNode: true, result: result("Unhandled"), error },
      { event: "fail", delivery: { target: TOPIC, condition: "RetriesExhausted" } },
      true,
      { deadLetterTarget: async () => TOPIC },
    );
    const publishes = finishes[0]?.fields.publishes ?? [];
    expect(publishes).toHaveLength(2);
    const [destination, deadLetter] = publishes;
    expect(JSON.parse(destination?.message ?? "null").requestContext.condition).toBe("RetriesExhausted");
    expect(deadLetter).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accountId: inv.accountId,
      topicArn: TOPIC,
      message: '{"n":1}',
      attributes: {
        RequestID: { DataType: "String", StringValue: inv.id },
        ErrorCode: { DataType: "Number", StringValue: "200" },
        ErrorMessage: { DataType: "String", StringValue: "always fails" },
      },
    });
    // Two messages to the same topic, two ids.
    expect(destination?.id).not.toBe(deadLetter?.id);
    expect(finishes[0]?.fields.letters).toBeUndefined();
  });

  it("counts a destination it cannot deliver to, not one it can", async () => {
    const metrics: string[] = [];
    const counters = { record: (o: { metric: string }) => metrics.push(o.metric), close: async () => undefined };
    const call: AttemptCall = { outcome: "success", ageMs: 0, reachedNode: false, result: result() };
    const other = "arn:aws:sns:us-east-1:999999999999:topic";
    await record(call, { event: "succeed" }, true, { counters }, { ...inv, onSuccess: other });
    expect(metrics).toEqual(["DestinationDeliveryFailures"]);
    metrics.length = 0;
    await record(
      call,
      { event: "succeed", delivery: { target: TOPIC, condition: "Success" } },
      true,
      { counters },
      { ...inv, onSuccess: TOPIC },
    );
    expect(metrics).toEqual([]);
  });
});
