import { randomUUID } from "node:crypto";
import { consoleLogger, decideTrace } from "@stratus/shared";
import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { InvokeResult, InvokeService } from "../services/invoke-service.js";
import type { AsyncInvocation, AsyncStore, FinishFields } from "../store/async-store.js";
import { createFinishedHooks, type FinishedHooks } from "./finished-hooks.js";
import { createJobRunner } from "./job-runner.js";
import type { NewJob, QueueJob } from "./queue/async-queue.js";

const quiet = consoleLogger({ info: () => undefined, warn: () => undefined, error: () => undefined });

function invocation(id: string): AsyncInvocation {
  return {
    id,
    accountId: "123456789012",
    functionName: "f",
    payload: Buffer.from("{}"),
    status: "running",
    attempt: 1,
    invokeCount: 1,
    givenBack: 0,
    maxAttempts: 4,
    maxEventAgeSeconds: 3600,
    acceptedAt: new Date(),
  };
}

/**
 * A runner over fakes: the store starts every invocation (unless `start` says
 * otherwise) and records each finish, failing those `finish` throws for; the function
 * fails (Unhandled), so the attempt ends in a retry.
 */
function runnerWith(opts: {
  finish?: (event: string) => void;
  start?: (id: string) => Promise<AsyncInvocation | undefined>;
  finished?: FinishedHooks;
}) {
  const finishes: { event: string; fields: FinishFields }[] = [];
  const store = {
    start: opts.start ?? (async (id: string) => invocation(id)),
    async finish(_id: string, _attempt: number, event: string, fields: FinishFields) {
      finishes.push({ event, fields });
      opts.finish?.(event);
      return true;
    },
  } as unknown as AsyncStore;
  const invoke = {
    async invokeSync(): Promise<InvokeResult> {
      return {
        payload: Buffer.from('{"errorMessage":"no","errorType":"Error"}'),
        functionError: "Unhandled",
        requestId: "r",
        executedVersion: "$LATEST",
        trace: decideTrace(undefined, "PassThrough"),
      };
    },
  } as unknown as InvokeService;
  const added: string[] = [];
  const queue = {
    add: async (job: NewJob) => {
      added.push(job.jobId);
    },
  };
  const registry = new Registry();
  const givenUp = new Counter({ name: "given_up", help: "h", labelNames: ["reason"], registers: [registry] });
  const config = { backoffBaseMs: 10, backoffCapMs: 10, region: "us-east-1", stepMs: 200 };
  const run = createJobRunner(store, queue, invoke, config, quiet, {
    givenUp,
    ...(opts.finished ? { finished: opts.finished } : {}),
  });
  const count = async () =>
    Object.fromEntries((await givenUp.get()).values.map((v) => [String(v.labels.reason), v.value]));
  return { run, finishes, added, count };
}

/** A job as the queue hands it over; `delayed` records each time it is put back. */
function job(data: unknown = { invocationId: randomUUID() }) {
  const delayed: number[] = [];
  const j = {
    id: "job-1",
    data,
    stalledCounter: 0,
    attemptsStarted: 1,
    moveToDelayed: async (at: number) => {
      delayed.push(at);
    },
  } satisfies QueueJob;
  return { job: j, delayed };
}

/** Postgres refusing a value (SQLSTATE 22P05: a jsonb string holding \u0000). */
const refused = () => Object.assign(new Error("unsupported Unicode escape sequence"), { code: "22P05" });

describe("the async job runner", () => {
  it("records a failed attempt's retry and queues its next job", async () => {
    const r = runnerWith({});
    const { job: j, delayed } = job();
    expect(await r.run(j)).toEqual({ kind: "done" });
    expect(r.finishes.map((f) => f.event)).toEqual(["retry"]);
    expect(r.added).toHaveLength(1);
    expect(delayed).toEqual([]);
    expect(await r.count()).toEqual({});
  });

  it.each([
    ["Postgres refused the data", refused],
    ["our own code failed on it", () => new TypeError("Cannot read properties of undefined")],
  ])("dead-letters the event at once, without a rerun, when %s", async (_why, error) => {
    const r = runnerWith({
      finish: (event) => {
        if (event === "retry") throw error();
      },
    });
    const { job: j, delayed } = job();
    expect(await r.run(j)).toEqual({ kind: "done" });
    expect(r.finishes.map((f) => f.event)).toEqual(["retry", "dead_letter"]);
    expect(r.finishes[1]?.fields.error).toMatchObject({
      errorType: "ServiceException",
      errorMessage: expect.stringMatching(/^Stratus could not process this event, and no retry could: /),
    });
    expect(delayed).toEqual([]);
    expect(r.added).toEqual([]);
    expect(await r.count()).toEqual({ unrecoverable: 1 });
  });

  it("gives a job back to the queue, to run again, when a step fails in a way that may pass", async () => {
    const r = runnerWith({
      finish: () => {
        throw new Error("Connection terminated unexpectedly");
      },
    });
    const { job: j, delayed } = job();
    expect(await r.run(j)).toEqual({ kind: "delayed" });
    expect(delayed).toHaveLength(1);
    expect(await r.count()).toEqual({ error: 1 });
  });

  it("gives a job back when a step runs past its deadline", async () => {
    const r = runnerWith({ start: () => new Promise(() => undefined) });
    const { job: j, delayed } = job();
    expect(await r.run(j)).toEqual({ kind: "delayed" });
    expect(delayed).toHaveLength(1);
    expect(await r.count()).toEqual({ deadline: 1 });
  });

  it("fails a job whose data names no invocation for good, saying so", async () => {
    const r = runnerWith({});
    const { job: j, delayed } = job({ invocationId: "not-a-uuid" });
    const end = await r.run(j);
    expect(end.kind).toBe("rejected");
    expect(end.kind === "rejected" && end.reason).toMatch(/^malformed job data \(invocationId: Invalid uuid\)/);
    expect(r.finishes).toEqual([]);
    expect(delayed).toEqual([]);
    expect(await r.count()).toEqual({ unrecoverable: 1 });
  });

  it.each([
    [true, 1],
    [false, 0],
  ])("tells the finished hooks of an invocation's final outcome only if it is awaited (%s)", async (awaited, told) => {
    const hooks = createFinishedHooks();
    const heard: string[] = [];
    hooks.register(async (f) => {
      heard.push(`${f.invocationId} ${f.outcome.ok ? "ok" : f.outcome.errorType}`);
    });
    // One attempt only: the function's failure is the event's final outcome.
    const r = runnerWith({
      start: async (id) => ({ ...invocation(id), maxAttempts: 1, ...(awaited ? { awaited } : {}) }),
      finished: hooks,
    });
    const id = randomUUID();
    const { job: j } = job({ invocationId: id });
    expect(await r.run(j)).toEqual({ kind: "done" });
    expect(r.finishes.map((f) => f.event)).toEqual(["dead_letter"]);
    expect(heard).toEqual(told ? [`${id} Error`] : []);
  });
});
