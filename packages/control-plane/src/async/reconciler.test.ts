import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { AsyncStore, StuckInvocation } from "../store/async-store.js";
import type { NewJob } from "./queue/async-queue.js";
import { startReconciler } from "./reconciler.js";

describe("startReconciler", () => {
  it("re-enqueues only invocations whose recorded job is gone, under a newly recorded job id", async () => {
    const stuck: StuckInvocation[] = [
      { id: "11111111-1111-4111-8111-111111111111", status: "accepted", attempt: 0, jobId: "waiting-job" },
      { id: "22222222-2222-4222-8222-222222222222", status: "accepted", attempt: 0, jobId: "lost-job" },
      { id: "33333333-3333-4333-8333-333333333333", status: "retrying", attempt: 1, jobId: null },
      { id: "44444444-4444-4444-8444-444444444444", status: "running", attempt: 2, jobId: "active-job" },
      // Moved on since it was read: the conditional update refuses it.
      { id: "55555555-5555-4555-8555-555555555555", status: "accepted", attempt: 0, jobId: "finished-job" },
    ];
    const recorded: string[] = [];
    const store = {
      stuck: async () => stuck,
      requeue: async (id: string, from: string | null, jobId: string) => {
        if (id.startsWith("5")) return false;
        recorded.push(`${id[0]}:${from}→${jobId.startsWith(`${id}_r`)}`);
        return true;
      },
      expireLease: async (id: string, attempt: number, jobId: string) => {
        recorded.push(`${id[0]}:lease ${attempt}→${jobId.startsWith(`${id}_r`)}`);
        return true;
      },
    } as unknown as AsyncStore;
    // Still waiting in the queue; "lost-job" is gone from Redis, "finished-job" completed.
    const liveJobs = new Set(["waiting-job"]);
    const added: string[] = [];
    const queue = {
      isLive: async (jobId: string) => liveJobs.has(jobId),
      add: async (job: NewJob) => {
        expect(job.jobId.startsWith(`${job.invocationId}_r`)).toBe(true);
        expect(job.delayMs).toBeUndefined();
        added.push(job.invocationId[0] as string);
      },
    };
    const counter = new Counter({ name: "requeued", help: "h", labelNames: ["reason"], registers: [new Registry()] });
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const reconciler = startReconciler(store, queue, { intervalMs: 60_000, staleSeconds: 1 }, counter, log);
    try {
      expect(await reconciler.runOnce()).toBe(3);
    } finally {
      reconciler.stop();
    }
    expect(recorded).toEqual(["2:lost-job→true", "3:null→true", "4:lease 2→true"]);
    expect(added).toEqual(["2", "3", "4"]);
    const values = (await counter.get()).values.map((v) => [v.labels.reason, v.value]);
    expect(values).toEqual([
      ["lost_job", 2],
      ["lease_expired", 1],
    ]);
  });
});
