// Lambda's concurrency rules on real Redis: reserved concurrency caps a function's
// parallel invocations (429 with Reason and Retry-After), reserved 0 throttles all,
// throttled async events wait without spending attempts, and slots never leak; and
// Postgres announces every change to an account's reservations, which a control plane
// that did not make the change hears.
import { randomBytes } from "node:crypto";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  TagResourceCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { metricValue } from "./helpers/metrics.js";
import { until } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

const stack = useStack();

/** Limits are read through a one-second cache. */
const settle = () => new Promise((r) => setTimeout(r, 1200));

async function deploy(
  source: string,
  reserved?: number,
  name = `conc-${randomBytes(4).toString("hex")}`,
): Promise<string> {
  await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/r",
      Handler: "index.handler",
      Timeout: 10,
      Code: { ZipFile: await nodeFunction(source) },
    }),
  );
  if (reserved !== undefined) {
    await stack.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: reserved }),
    );
    await settle();
  }
  return name;
}

describe("concurrency", () => {
  it("lets exactly one of 20 parallel invokes through with reserved concurrency 1", async () => {
    const name = await deploy(
      "exports.handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return 'ran'; };",
      1,
    );
    await stack.lambda.send(new InvokeCommand({ FunctionName: name })); // warm, so the burst is not a cold start
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => stack.lambda.send(new InvokeCommand({ FunctionName: name }))),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const throttled = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(ok).toHaveLength(1);
    expect(throttled).toHaveLength(19);
    for (const err of throttled) {
      expect(err).toBeInstanceOf(TooManyRequestsException);
      expect((err as TooManyRequestsException).Reason).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
      expect((err as TooManyRequestsException).$response?.headers["retry-after"]).toBe("1");
    }
    // Lambda's Throttles metric counts each of them, under the function and the reason.
    expect(
      await metricValue(stack.endpoint, "stratus_throttles_total", {
        function: name,
        reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      }),
    ).toBe(19);
    // Every slot was given back: the next invoke runs.
    const after = await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    expect(Buffer.from(after.Payload ?? []).toString()).toBe('"ran"');
  }, 60_000);

  it("forgets a deleted function's reservation at once: its namesake, created right after, runs", async () => {
    const name = await deploy("exports.handler = async () => 'old';", 0);
    await expect(stack.lambda.send(new InvokeCommand({ FunctionName: name }))).rejects.toBeInstanceOf(
      TooManyRequestsException,
    );
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await deploy("exports.handler = async () => 'new';", undefined, name);
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    expect(Buffer.from(out.Payload ?? []).toString()).toBe('"new"');
  });

  it("throttles every invoke at reserved concurrency 0; a throttled event waits without spending attempts", async () => {
    const name = await deploy("exports.handler = async () => 'finally';", 0);
    await expect(stack.lambda.send(new InvokeCommand({ FunctionName: name }))).rejects.toBeInstanceOf(
      TooManyRequestsException,
    );

    const accepted = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from("{}") }),
    );
    const id = accepted.$metadata.requestId as string;
    const status = async () =>
      (await (
        await signedFetch(stack.endpoint, stack.region, stack.credentials, `/stratus/2026-11-01/invocations/${id}`)
      ).json()) as { Status: string; Attempts: number };
    await new Promise((r) => setTimeout(r, 2000));
    const waiting = await status();
    expect(["accepted", "retrying", "running"]).toContain(waiting.Status);
    expect(waiting.Attempts).toBeLessThanOrEqual(waiting.Status === "running" ? 1 : 0);
    // The sync invoke and the event's attempts so far were each a throttle.
    const throttles = () =>
      metricValue(stack.endpoint, "stratus_throttles_total", {
        function: name,
        reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      });
    await until("the event's attempt to be throttled", async () => (await throttles()) >= 2, 10_000);

    await stack.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    const deadline = Date.now() + 20_000;
    let final = await status();
    while (final.Status !== "succeeded" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      final = await status();
    }
    expect(final).toMatchObject({ Status: "succeeded", Attempts: 1 });
  }, 60_000);

  it("has Postgres announce each change to an account's reservations, and nothing else", async () => {
    const listener = new pg.Client({ connectionString: stack.databaseUrl });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (m) => heard.push(`${m.channel} ${m.payload}`));
    await listener.query("LISTEN stratus_reservations");
    try {
      const name = await deploy("exports.handler = async () => 'ran';");
      const arn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`;
      const put = (n: number) =>
        stack.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: n }));
      const announced = (n: number) => until(`${n} announcements`, async () => heard.length >= n, 10_000);
      await put(3);
      await announced(1);
      // Neither another column nor the same reservation again is a change to announce.
      await stack.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { team: "x" } }));
      await put(3);
      await put(4);
      await announced(2);
      await stack.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
      await announced(3);
      await put(1);
      await announced(4);
      await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
      await announced(5);
      expect(heard).toEqual(Array(5).fill(`stratus_reservations ${stack.credentials.accountId}`));
    } finally {
      await listener.end();
    }
  });

  it("hears a reservation another control plane set: the next invokes here are throttled", async () => {
    const name = await deploy("exports.handler = async () => 'ran';");
    // This control plane has the account's reservations cached now.
    await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    // What another control plane's PutFunctionConcurrency writes.
    await stack.db.query("UPDATE functions SET reserved_concurrency = 0 WHERE account_id = $1 AND name = $2", [
      stack.credentials.accountId,
      name,
    ]);
    const throttled = async () => {
      try {
        await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
        return false;
      } catch (err) {
        if (err instanceof TooManyRequestsException) return true;
        throw err;
      }
    };
    await until("the invoke to be throttled", throttled, 5_000);
    expect(await throttled()).toBe(true);
  });
});
