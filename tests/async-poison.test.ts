// Async events whose processing can never succeed as it stands, on real Postgres,
// Redis and Docker. A function error whose message holds U+0000 or a lone surrogate
// (which a jsonb value cannot hold) is recorded, those replaced, and ends the event
// after its attempts like any function error: the function is not run again and
// again until the event's maximum age. A queue job whose data is malformed fails at
// once, for good, and the reconciler still runs the event it was recorded for.
import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { BullQueue } from "@stratus/control-plane";
import { asyncQueue } from "@stratus/shared";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { commitEvent, deployFunction } from "./helpers/async-load.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();

interface Row {
  status: string;
  attempt: number;
  invoke_count: number;
  error: { errorMessage?: string; errorType?: string } | null;
}

async function row(id: string): Promise<Row | undefined> {
  const { rows } = await stack.db.query<Row>(
    "SELECT status, attempt, invoke_count, error FROM async_invocations WHERE id = $1",
    [id],
  );
  return rows[0];
}

describe("async events that cannot be processed as they stand", () => {
  it("records a function error jsonb cannot hold as it is, and ends the event after its attempts, running it once", async () => {
    const name = await deployFunction(
      stack.lambda,
      "nul",
      'exports.handler = async () => { throw new Error("bad\\u0000byte\\ud800"); };',
    );
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      }),
    );
    const out = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from("{}") }),
    );
    const id = out.$metadata.requestId as string;
    const ended = await waitFor(
      async () => {
        const r = await row(id);
        return r && ["succeeded", "failed", "dead_lettered", "expired"].includes(r.status) ? r : undefined;
      },
      90_000,
      { what: "the event to end", intervalMs: 200 },
    );
    expect(ended).toMatchObject({ status: "dead_lettered", attempt: 1, invoke_count: 1 });
    expect(ended.error?.errorMessage).toBe("bad\uFFFDbyte\uFFFD");
  }, 120_000);

  it("fails a job whose data names no invocation at once, for good; the event recorded with it still runs", async () => {
    const name = await deployFunction(stack.lambda, "malformed", "exports.handler = async (e) => e;");
    const id = await commitEvent(stack.db, stack.credentials.accountId, name);
    // Never queued by the control plane: its recorded job (under its id) carries data naming no invocation.
    const connection = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
    const queue = new BullQueue(asyncQueue.name, { connection });
    try {
      const jobId = asyncQueue.jobId(id);
      await queue.add("invoke", { invocationId: "not-a-uuid" }, { jobId });
      const failed = await waitFor(
        // The state first, then the job: a job read before it failed carries no failedReason.
        async () => ((await queue.getJobState(jobId)) === "failed" ? await queue.getJob(jobId) : undefined),
        30_000,
        { what: "the malformed job to fail" },
      );
      expect(failed.attemptsStarted).toBe(1);
      expect(failed.failedReason).toMatch(/^malformed job data \(invocationId: Invalid uuid\)/);
      // The reconciler finds the event's job failed, and queues a well-formed one.
      const ended = await waitFor(
        async () => {
          const r = await row(id);
          return r?.status === "succeeded" ? r : undefined;
        },
        30_000,
        { what: "the event to run", intervalMs: 200 },
      );
      expect(ended).toMatchObject({ attempt: 1, invoke_count: 1 });
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }, 60_000);
});
