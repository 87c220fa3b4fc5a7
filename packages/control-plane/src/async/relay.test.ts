import type { Logger } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { AsyncStore, QueuedJob } from "../store/async-store.js";
import type { NewJob } from "./queue/async-queue.js";
import { startRelay } from "./relay.js";

const job = (n: number): QueuedJob => ({
  invocationId: `0000000${n}-1111-4111-8111-111111111111`,
  jobId: `job-${n}`,
});

/** A store whose outbox holds `due` rows (and takes `left` ones unless `storeDown`), and a queue that records (or refuses) adds. */
function fakes(opts: { due?: QueuedJob[]; queueDown?: boolean; storeDown?: boolean } = {}) {
  const queued: string[] = [];
  const left: string[] = [];
  const warnings: string[] = [];
  let due = opts.due ?? [];
  const store = {
    leaveToRelay: async (ids: string[]) => {
      if (opts.storeDown) throw new Error("Connection terminated");
      left.push(...ids);
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
  return { store, queue, log, queued, left, warnings };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("relay.publish", () => {
  it("queues accepted events under their job ids, writing no outbox row", async () => {
    const f = fakes();
    const relay = startRelay(f.store, f.queue, f.log);
    relay.publish(job(1));
    relay.publish(job(2));
    await settle();
    await relay.stop();
    expect(f.queued).toEqual(["job-1", "job-2"]);
    expect(f.left).toEqual([]);
    expect(f.warnings).toEqual([]);
  });

  it("leaves an event the queue refuses to the relay, as an outbox row, saying so", async () => {
    const f = fakes({ queueDown: true });
    const relay = startRelay(f.store, f.queue, f.log);
    relay.publish(job(3));
    await settle();
    await relay.stop();
    expect(f.queued).toEqual([]);
    expect(f.left).toEqual([job(3).invocationId]);
    expect(f.warnings.join("\n")).toContain(
      `${job(3).invocationId} not queued (Connection is closed.); the relay sends`,
    );
  });

  it("names the events the reconciler is left with when neither the queue nor the outbox takes them", async () => {
    const f = fakes({ queueDown: true, storeDown: true });
    const relay = startRelay(f.store, f.queue, f.log);
    relay.publish(job(4));
    await settle();
    await relay.stop();
    expect(f.left).toEqual([]);
    expect(f.warnings.join("\n")).toMatch(
      new RegExp(`${job(4).invocationId} neither queued .* the reconciler finds them`),
    );
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
