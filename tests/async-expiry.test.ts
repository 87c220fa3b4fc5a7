// An async event that cannot run (reserved concurrency 0 throttles every try), end to
// end: Postgres counts each try given back in `given_back`, no attempt is spent, and the
// waits between tries grow; past its maximum event age it ends `expired`, with Lambda's
// EventAgeExceeded record in its SQS OnFailure destination, the function never run.
import {
  DeleteFunctionConcurrencyCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { deployFunction } from "./helpers/functions.js";
import { metricValue } from "./helpers/metrics.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useTestQueues } from "./helpers/sqs-queues.js";
import { useStack } from "./helpers/use-stack.js";

// A give-back's wait is drawn from [half, all] of 200 ms doubled per give-back, up to
// 3.2 s: the first five waits each at least the one before (200, 400, 800, 1600, 3200),
// within about 3 s; the 60 s maximum age then passes after some 25 tries, not 6.
const stack = useStack(
  {},
  { controlPlaneEnv: { STRATUS_ASYNC_BACKOFF_BASE_MS: "200", STRATUS_ASYNC_BACKOFF_CAP_MS: "3200" } },
);
const queues = useTestQueues(stack);
const lambdaCli = cliCommands(useAwsCli(stack, "stratus-async-expiry-"), "lambda");

/** A function whose every invoke is throttled (reserved concurrency 0, read through a one-second cache). */
async function throttled(): Promise<{ name: string; arn: string }> {
  const name = await deployFunction(stack, {
    runtime: "nodejs20.x",
    handler: "index.handler",
    files: { "index.js": "exports.handler = async () => { console.log('RAN'); return 'ran'; };" },
  });
  await stack.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
  await new Promise((r) => setTimeout(r, 1200));
  await expect(stack.lambda.send(new InvokeCommand({ FunctionName: name }))).rejects.toBeInstanceOf(
    TooManyRequestsException,
  );
  return { name, arn: `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}` };
}

async function event(name: string, payload: unknown): Promise<string> {
  const out = await stack.lambda.send(
    new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  expect(out.StatusCode).toBe(202);
  return out.$metadata.requestId as string;
}

interface Row {
  status: string;
  attempt: number;
  invoke_count: number;
  given_back: number;
  updated_at: Date;
  next_attempt_at: Date | null;
  /** The wait the last end scheduled: next_attempt_at - updated_at (the same transaction's now()). */
  wait_ms: number | null;
}

const row = async (id: string) =>
  (
    await stack.db.query<Row>(
      `SELECT status, attempt, invoke_count, given_back, updated_at, next_attempt_at,
         extract(epoch FROM next_attempt_at - updated_at)::float8 * 1000 AS wait_ms
       FROM async_invocations WHERE id = $1`,
      [id],
    )
  ).rows[0];

const endedAs = (id: string, status: string, timeoutMs: number) =>
  waitFor(
    async () => {
      const r = await row(id);
      return r?.status === status ? r : undefined;
    },
    timeoutMs,
    { what: `event ${id} ${status}`, intervalMs: 250 },
  );

/** The invocation as Stratus's API shows it. */
async function shown(id: string): Promise<{ Status: string; Attempts: number }> {
  const res = await signedFetch(
    stack.endpoint,
    stack.region,
    stack.credentials,
    `/stratus/2026-11-01/invocations/${id}`,
  );
  return (await res.json()) as { Status: string; Attempts: number };
}

describe("an async event that cannot run", () => {
  it("counts each throttled try in given_back, spends no attempt, and waits longer after each", async () => {
    const fn = await throttled();
    const id = await event(fn.name, { n: 1 });
    // The row as it waits for its next try, by the tries given back so far.
    const waiting = new Map<number, Row>();
    await waitFor(
      async () => {
        const r = await row(id);
        if (r?.status === "retrying") waiting.set(r.given_back, r);
        return waiting.has(5) ? true : undefined;
      },
      20_000,
      { what: "a fifth try given back", intervalMs: 20 },
    );
    const tries = [1, 2, 3, 4, 5].map((k) => waiting.get(k) as Row);
    expect([...waiting.keys()]).toEqual([1, 2, 3, 4, 5]);
    for (const r of tries) expect(r).toMatchObject({ attempt: 0, invoke_count: 0 });
    for (let k = 1; k < tries.length; k++) {
      const [before, after] = [tries[k - 1] as Row, tries[k] as Row];
      // Each wait scheduled is at least the one before, and the next try came no sooner.
      expect(after.wait_ms).toBeGreaterThanOrEqual(before.wait_ms as number);
      expect(after.updated_at.getTime()).toBeGreaterThanOrEqual((before.next_attempt_at as Date).getTime());
    }
    expect(tries[4]?.wait_ms).toBeGreaterThan(tries[0]?.wait_ms as number);

    // Let it run: the one run spends the event's only attempt; the give-backs stay counted.
    await stack.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: fn.name }));
    const done = await endedAs(id, "succeeded", 20_000);
    expect(done).toMatchObject({ attempt: 1, invoke_count: 1 });
    expect(done?.given_back).toBeGreaterThanOrEqual(5);
    expect(await shown(id)).toMatchObject({ Status: "succeeded", Attempts: 1 });
  }, 60_000);

  it("expires past its maximum event age, sends Lambda's EventAgeExceeded record OnFailure, never runs", async () => {
    const dlq = await queues.create("expiry-onfailure");
    const fn = await throttled();
    const config = (age: number) =>
      stack.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: fn.name,
          MaximumEventAgeInSeconds: age,
          DestinationConfig: { OnFailure: { Destination: dlq.arn } },
        }),
      );
    // Lambda's minimum age is 60 s.
    await expect(config(59)).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    await config(60);
    const read = await lambdaCli.json("get-function-event-invoke-config", "--function-name", fn.name);
    expect(read).toMatchObject({
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: dlq.arn } },
    });

    const id = await event(fn.name, { order: 42 });
    const ended = await endedAs(id, "expired", 80_000);
    // Tried again and again, each try given back: none spent, none reached a node.
    expect(ended).toMatchObject({ attempt: 0, invoke_count: 0 });
    expect(ended?.given_back).toBeGreaterThan(1);
    expect(await shown(id)).toMatchObject({ Status: "expired", Attempts: 0 });

    const message = await queues.firstMessage(dlq.url);
    const record = JSON.parse(message.Body ?? "{}");
    expect(record).toMatchObject({
      version: "1.0",
      timestamp: expect.any(String),
      requestContext: {
        requestId: id,
        functionArn: `${fn.arn}:$LATEST`,
        condition: "EventAgeExceeded",
        approximateInvokeCount: 0,
      },
      requestPayload: { order: 42 },
      responsePayload: null,
    });
    expect(record.responseContext.functionError).toBeUndefined();

    // The function never ran: no run metered, no log, and the event counted as expired.
    const usage = await stack.db.query("SELECT 1 FROM invocation_usage WHERE request_id = $1", [id]);
    expect(usage.rowCount).toBe(0);
    const logs = await signedFetch(
      stack.endpoint,
      stack.region,
      stack.credentials,
      `/stratus/2026-11-01/functions/${fn.name}/logs?Limit=10`,
    );
    expect(((await logs.json()) as { Invocations: unknown[] }).Invocations).toEqual([]);
    expect(await metricValue(stack.endpoint, "stratus_async_events_ended_total", { status: "expired" })).toBe(1);
  }, 90_000);
});
