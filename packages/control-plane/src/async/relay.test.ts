import type { Logger } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { AcceptedJob, AsyncStore, QueuedJob } from "../store/async-store.js";
import type { NewJob } from "./queue/async-queue.js";
import { startRelay } from "./relay.js";

const job = (n: number): AcceptedJob => ({
  invocationId: `0000000${n}-1111-4111-8111-111111111111`,
  jobId: `job-${n}`,
  outboxId: String(n),
});

/** A store whose outbox holds `due` rows, and a queue that records (or refuses) adds. */
function fakes(opts: { due?: QueuedJob[]; queueDown?: boolean } = {}) {
  const queued: string[] = [];
  const forgotten: string[] = [];
  const warnings: string[] = [];
  let due = opts.due ?? [];
  const store = {
    forgetPublished: async (ids: string[]) => {
      forgotten.push(...ids);
    },
    drainOutbox: async (_limit: number, handle: (jobs: QueuedJob[]) => Promise<void>) => {
      if (due.length === 0) return 0;
      const taken = due;
      await handle(taken);
      due = [];
      return taken.length;
    },
  } as unknown as AsyncStore;
  const queue = {
    addMany: async (jobs: NewJob[]) => {
      if (opts.queueDown) throw new Error("Connection is closed.");
      queued.push(...jobs.map((j) => j.jobId));
    },
  };
  const log = { warn: (m: string) => warnings.push(m), error: () => {}, info: () => {} } as unknown as Logger;
  return { store, queue, log, queued, forgotten, warnings };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("relay.publish", () => {
  it("queues an accepted event under its job id, then deletes its outbox row", async () => {
    const f = fakes();
    const relay = startRelay(f.store, f.queue, f.log);
    relay.publish(job(1));
    relay.publish(job(2));
    await settle();
    await relay.stop();
    expect(f.queued).toEqual(["job-1", "job-2"]);
    expect(f.forgotten).toEqual(["1", "2"]);
  });

  it("keeps the outbox row when the queue refuses the add, so the relay sends it later", async () => {
    const f = fakes({ queueDown: true });
    const relay = startRelay(f.store, f.queue, f.log);
    relay.publish(job(3));
    await settle();
    await relay.stop();
    expect(f.queued).toEqual([]);
    expect(f.forgotten).toEqual([]);
    expect(f.warnings.join("\n")).toContain(job(3).invocationId);
  });

  it("queues the next events while the last ones' outbox rows are still being deleted", async () => {
    const f = fakes();
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const forgetPublished = f.store.forgetPublished.bind(f.store);
    f.store.forgetPublished = async (ids) => {
      await held;
      await forgetPublished(ids);
    };
    const relay = startRelay(f.store, f.queue, f.log);
    relay.publish(job(5));
    await settle();
    relay.publish(job(6));
    await settle();
    expect(f.queued).toEqual(["job-5", "job-6"]);
    expect(f.forgotten).toEqual([]);
    release();
    await settle();
    await relay.stop();
    expect(f.forgotten).toEqual(["5", "6"]);
  });
});

describe("the relay loop", () => {
  it("sends the outbox rows that are due", async () => {
    const f = fakes({ due: [{ invocationId: job(4).invocationId, jobId: "job-4" }] });
    const relay = startRelay(f.store, f.queue, f.log);
    await settle();
    await relay.stop();
    expect(f.queued).toEqual(["job-4"]);
  });
});
