// Async (Event) invocations on real Postgres, Redis and Docker: committed before
// the 202, run through the queue, retried 1 + 3 times, dead-lettered or delivered to
// destinations with Lambda's record, recovered when the enqueue or the job is lost,
// never completed by a stale attempt, and still run when the queue worker stops.
import { randomBytes, randomUUID } from "node:crypto";
import {
  CreateFunctionCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
  RequestTooLargeException,
} from "@aws-sdk/client-lambda";
import { type BullWorker, createPgAsyncStore, type QueueWorker } from "@stratus/control-plane";
import { describe, expect, it } from "vitest";
import { metricValue } from "./helpers/metrics.js";
import { until as untilTrue, waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

const stack = useStack();

async function deploy(source: string): Promise<{ name: string; arn: string }> {
  const name = `async-${randomBytes(4).toString("hex")}`;
  const out = await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/r",
      Handler: "index.handler",
      Code: { ZipFile: await nodeFunction(source) },
    }),
  );
  return { name, arn: out.FunctionArn as string };
}

async function event(name: string, payload: unknown): Promise<string> {
  const out = await stack.lambda.send(
    new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  expect(out.StatusCode).toBe(202);
  return out.$metadata.requestId as string;
}

interface Status {
  Status: string;
  Attempts: number;
  Error?: { errorType?: string; errorMessage?: string };
}

async function status(id: string): Promise<Status> {
  const res = await signedFetch(
    stack.endpoint,
    stack.region,
    stack.credentials,
    `/stratus/2026-11-01/invocations/${id}`,
  );
  return (await res.json()) as Status;
}

/** Async work goes through the queue and its retries: allow it more time than a sync call. */
const until = <T>(probe: () => Promise<T | undefined>) => waitFor(probe, 30_000);

const settled = (id: string) =>
  until(async () => {
    const s = await status(id);
    return ["succeeded", "failed", "dead_lettered", "expired"].includes(s.Status) ? s : undefined;
  });

async function logsOf(name: string): Promise<string[]> {
  const res = await signedFetch(
    stack.endpoint,
    stack.region,
    stack.credentials,
    `/stratus/2026-11-01/functions/${name}/logs?Limit=100`,
  );
  return ((await res.json()) as { Invocations: { Log: string }[] }).Invocations.map((i) => i.Log);
}

describe("async invocations", () => {
  it("accepts an event with 202, runs it and delivers the success record", async () => {
    const sink = await deploy(
      "exports.handler = async (e) => { console.log('SINK ' + JSON.stringify(e)); return 1; };",
    );
    const fn = await deploy("exports.handler = async (e) => ({ doubled: e.n * 2 });");
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: fn.name,
        DestinationConfig: { OnSuccess: { Destination: sink.arn } },
      }),
    );
    const id = await event(fn.name, { n: 21 });
    expect((await settled(id)).Status).toBe("succeeded");
    const delivered = await until(async () => (await logsOf(sink.name)).find((l) => l.includes("SINK")));
    const record = JSON.parse(delivered.slice(delivered.indexOf("SINK ") + 5).split("\n")[0] as string);
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: { requestId: id, condition: "Success", approximateInvokeCount: 1 },
      requestPayload: { n: 21 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST" },
      responsePayload: { doubled: 42 },
    });
  }, 60_000);

  it("retries a failing function exactly three times, then writes the dead-letter record", async () => {
    const fn = await deploy(
      "exports.handler = async () => { console.log('ATTEMPT'); throw new Error('always broken'); };",
    );
    const id = await event(fn.name, { x: 1 });
    const final = await settled(id);
    expect(final.Status).toBe("dead_lettered");
    expect(final.Attempts).toBe(4);
    expect(final.Error).toMatchObject({ errorType: "Error", errorMessage: "always broken" });
    const runs = await until(async () => {
      const logs = (await logsOf(fn.name)).filter((l) => l.includes("ATTEMPT"));
      return logs.length >= 4 ? logs : undefined;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await logsOf(fn.name)).filter((l) => l.includes("ATTEMPT"))).toHaveLength(runs.length);
    expect(runs).toHaveLength(4);

    const listed = await signedFetch(
      stack.endpoint,
      stack.region,
      stack.credentials,
      `/stratus/2026-11-01/functions/${fn.name}/async-invocations?Status=dead_lettered`,
    );
    expect(
      ((await listed.json()) as { Invocations: { RequestId: string }[] }).Invocations.map((i) => i.RequestId),
    ).toEqual([id]);

    const redrive = await signedFetch(
      stack.endpoint,
      stack.region,
      stack.credentials,
      `/stratus/2026-11-01/invocations/${id}/redrive`,
      {
        method: "POST",
      },
    );
    expect(redrive.status).toBe(202);
    const again = await until(async () => {
      const s = await status(id);
      return s.Status === "dead_lettered" &&
        s.Attempts === 4 &&
        (await logsOf(fn.name)).filter((l) => l.includes("ATTEMPT")).length === 8
        ? s
        : undefined;
    });
    expect(again.Status).toBe("dead_lettered");
    // The re-driven runs are metered as runs of their own, not folded into the first four.
    const metered = async () =>
      (await stack.db.query("SELECT count(*)::int AS n FROM invocation_usage WHERE request_id = $1", [id])).rows[0].n;
    expect(await until(async () => ((await metered()) === 8 ? 8 : undefined))).toBe(8);
  }, 90_000);

  it("runs every attempt under the request id of the 202, and keeps a log of each attempt under it", async () => {
    const fn = await deploy(
      "exports.handler = async (e, context) => { console.log('REQUEST ' + context.awsRequestId); throw new Error('no'); };",
    );
    const id = await event(fn.name, {});
    expect(await settled(id)).toMatchObject({ Status: "dead_lettered", Attempts: 4 });
    const seen = await until(async () => {
      const logs = (await logsOf(fn.name)).filter((l) => l.includes("REQUEST "));
      return logs.length >= 4 ? logs : undefined;
    });
    expect(seen).toHaveLength(4);
    for (const log of seen) expect(log).toContain(`REQUEST ${id}`);

    interface Attempt {
      RequestId: string;
      StartedAt: string;
      Log: string;
    }
    const stored = await until(async () => {
      const res = await signedFetch(
        stack.endpoint,
        stack.region,
        stack.credentials,
        `/stratus/2026-11-01/invocations/${id}/log`,
      );
      const body = res.status === 200 ? ((await res.json()) as Attempt & { Attempts: Attempt[] }) : undefined;
      return body && body.Attempts.length >= 4 ? body : undefined;
    });
    expect(stored.Attempts).toHaveLength(4);
    const starts = stored.Attempts.map((a) => a.StartedAt);
    expect(starts).toEqual([...starts].sort().reverse());
    expect(stored.StartedAt).toBe(starts[0]);
    for (const attempt of stored.Attempts) {
      expect(attempt.RequestId).toBe(id);
      expect(attempt.Log).toContain(`START RequestId: ${id}`);
      // Each attempt's log holds its own run's output only.
      expect(attempt.Log.match(/REQUEST /g)).toHaveLength(1);
    }
  }, 60_000);

  it("sends exhausted events to the on-failure destination with Lambda's record", async () => {
    const sink = await deploy(
      "exports.handler = async (e) => { console.log('FAILED ' + JSON.stringify(e)); return 1; };",
    );
    const fn = await deploy("exports.handler = async () => { throw new TypeError('bad input'); };");
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: fn.name,
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: sink.arn } },
      }),
    );
    const id = await event(fn.name, { order: 7 });
    const final = await settled(id);
    expect(final).toMatchObject({ Status: "failed", Attempts: 2 });
    const delivered = await until(async () => (await logsOf(sink.name)).find((l) => l.includes("FAILED")));
    const record = JSON.parse(delivered.slice(delivered.indexOf("FAILED ") + 7).split("\n")[0] as string);
    expect(record).toMatchObject({
      requestContext: { requestId: id, condition: "RetriesExhausted", approximateInvokeCount: 2 },
      requestPayload: { order: 7 },
      responseContext: { functionError: "Unhandled" },
      responsePayload: { errorType: "TypeError", errorMessage: "bad input" },
    });
  }, 60_000);

  it("refuses an event over 1 MB with 413 and stores nothing", async () => {
    const fn = await deploy("exports.handler = async () => 1;");
    const count = async () => (await stack.db.query("SELECT count(*)::int AS n FROM async_invocations")).rows[0].n;
    const before = await count();
    await expect(
      stack.lambda.send(
        new InvokeCommand({
          FunctionName: fn.name,
          InvocationType: "Event",
          Payload: Buffer.from(JSON.stringify({ b: "x".repeat(1024 * 1024) })),
        }),
      ),
    ).rejects.toBeInstanceOf(RequestTooLargeException);
    expect(await count()).toBe(before);
  }, 30_000);

  it("runs an event committed but never queued, and one its accepting process left to the relay", async () => {
    const fn = await deploy("exports.handler = async (e) => { console.log('RECOVERED ' + e.tag); return 1; };");
    const store = createPgAsyncStore(stack.db);
    const common = {
      accountId: stack.credentials.accountId,
      functionName: fn.name,
      maxAttempts: 4,
      maxEventAgeSeconds: 3600,
    };
    // The queue refused the event: its accepting process gave it an outbox row, which the relay sends.
    const left = randomUUID();
    await store.accept({ ...common, id: left, payload: Buffer.from('{"tag":"outbox"}') });
    await store.leaveToRelay([left]);
    // The control plane died after the commit, before queueing the event (or Redis lost
    // its job): no outbox row, no job; the reconciler finds it once overdue.
    const lost = randomUUID();
    await store.accept({ ...common, id: lost, payload: Buffer.from('{"tag":"lost"}') });
    expect(
      (await stack.db.query("SELECT count(*)::int AS n FROM async_outbox WHERE invocation_id = $1", [lost])).rows[0].n,
    ).toBe(0);
    expect((await settled(left)).Status).toBe("succeeded");
    expect((await settled(lost)).Status).toBe("succeeded");
    // Logs are shipped in batches: wait for both runs to be stored.
    const logs = await until(async () => {
      const text = (await logsOf(fn.name)).join("\n");
      return text.includes("RECOVERED outbox") && text.includes("RECOVERED lost") ? text : undefined;
    });
    expect(logs).toContain("RECOVERED lost");
  }, 60_000);

  it("refuses the completion of a stale attempt", async () => {
    const store = createPgAsyncStore(stack.db);
    const id = randomUUID();
    // Written without an outbox row, so that no worker picks it up meanwhile.
    await stack.db.query(
      `INSERT INTO async_invocations (id, account_id, function_name, payload, status, max_attempts, max_event_age_seconds, job_id)
       VALUES ($1, $2, 'not-run', '\\x7b7d', 'accepted', 4, 3600, $3)`,
      [id, stack.credentials.accountId, id],
    );
    // Only the job the invocation records starts it.
    expect(await store.start(id, `${id}_other`, 960)).toBeUndefined();
    const first = await store.start(id, id, 960);
    expect(first?.attempt).toBe(1);
    // The first worker stalls past its lease; the invocation is started again, by its new job only.
    await stack.db.query("UPDATE async_invocations SET lease_until = now() - interval '1 second' WHERE id = $1", [id]);
    expect(await store.expireLease(id, 1, `${id}_r1`)).toBe(true);
    expect(await store.start(id, id, 960)).toBeUndefined();
    const second = await store.start(id, `${id}_r1`, 960);
    expect(second?.attempt).toBe(2);
    expect(await store.finish(id, 1, "succeed", {})).toBe(false);
    expect(await store.finish(id, 2, "succeed", {})).toBe(true);
    expect(await store.start(id, `${id}_r1`, 960)).toBeUndefined();
  }, 30_000);
});

describe("the async worker watchdog", () => {
  const restarts = () => metricValue(stack.endpoint, "stratus_async_worker_restarts_total");

  it.each([
    ["closed", (w: QueueWorker) => w.close()],
    // The control plane's queue workers are BullMQ Workers: paused as BullMQ lets code do.
    ["paused", (w: QueueWorker) => (w as BullWorker).pause()],
  ])(
    "replaces a queue worker that was %s from outside; events sent afterwards run",
    async (_, stop) => {
      const fn = await deploy("exports.handler = async (e) => e.n;");
      const before = await restarts();
      const stopped = stack.controlPlane.asyncWorker() as QueueWorker;
      expect(stopped.isRunning()).toBe(true);
      await stop(stopped);
      await untilTrue("the worker to stop running", async () => !stopped.isRunning(), 30_000);
      const id = await event(fn.name, { n: 1 });
      expect((await settled(id)).Status).toBe("succeeded");
      const replacement = stack.controlPlane.asyncWorker();
      expect(replacement).not.toBe(stopped);
      expect(replacement?.isRunning()).toBe(true);
      expect(await restarts()).toBe(before + 1);
    },
    60_000,
  );
});
