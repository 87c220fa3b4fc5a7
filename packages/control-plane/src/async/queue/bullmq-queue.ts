// The async queue on BullMQ and Redis: the one module that knows BullMQ. The producer
// fails fast when Redis is away (the outbox keeps the work); each worker opens a
// connection of its own that waits and retries, as BullMQ requires, so that a
// replacement never inherits a hung one. Its workers are BullMQ Workers.
import type { AsyncJob, Logger } from "@stratus/shared";
import { asyncQueue } from "@stratus/shared";
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { AsyncQueue, JobEnd, JobProcessor, NewJob, QueueJob, QueueWorker } from "./async-queue.js";

/** BullMQ itself, for tests of this implementation and the bench's BullMQ-alone baseline; nothing else reaches it. */
export { Queue as BullQueue, Worker as BullWorker } from "bullmq";

/** The name a worker's Redis connection goes by in CLIENT LIST. */
export const WORKER_CONNECTION_NAME = "stratus:async-worker";

/**
 * Postgres holds the truth: Redis drops a completed job at once (a job added again
 * under its id later runs, finds the invocation no longer records it, and starts
 * nothing) and keeps failed ones a week.
 */
const JOB_OPTIONS = {
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** Job states in which the job will still run (or is running) its invocation. */
const LIVE_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

export const isLiveState = (state: string): boolean => LIVE_STATES.has(state);

export interface BullMqQueueOptions {
  redisUrl: string;
  /** How long a producer's command may go unanswered before it fails. */
  commandTimeoutMs: number;
  log: Logger;
}

export function createBullMqQueue({ redisUrl, commandTimeoutMs, log }: BullMqQueueOptions): AsyncQueue {
  const connection = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    socketTimeout: commandTimeoutMs,
  });
  connection.on("error", (err: Error) => log.warn(`redis (async queue): ${err.message}`));
  const queue = new Queue(asyncQueue.name, { connection });
  queue.on("error", (err) => log.warn(`async queue: ${err.message}`));
  return {
    async add(job) {
      const { name, data, opts } = bulkJob(job);
      await queue.add(name, data, opts);
    },
    async addMany(jobs) {
      await queue.addBulk(jobs.map(bulkJob));
    },
    isLive: async (jobId) => isLiveState(await queue.getJobState(jobId)),
    dueJobs: (now) => dueJobs(queue, now),
    startWorker: (processor, concurrency) => startWorker(redisUrl, processor, concurrency, log),
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}

function bulkJob({ invocationId, jobId, delayMs }: NewJob) {
  const data: AsyncJob = { invocationId };
  return {
    name: "invoke",
    data,
    opts: { jobId, ...(delayMs === undefined ? {} : { delay: delayMs }), ...JOB_OPTIONS },
  };
}

function startWorker(redisUrl: string, processor: JobProcessor, concurrency: number, log: Logger): QueueWorker {
  // BullMQ requires maxRetriesPerRequest: null here; it duplicates this connection
  // for its blocking fetch, and leaves the connection itself to us.
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null, connectionName: WORKER_CONNECTION_NAME });
  connection.on("error", (err: Error) => log.warn(`redis (async worker): ${err.message}`));
  const worker = new Worker(asyncQueue.name, async (job, token) => settle(await processor(queueJob(job, token))), {
    connection,
    concurrency,
    lockDuration: 30_000,
    stalledInterval: 30_000,
    maxStalledCount: 1,
  });
  worker.on("error", (err) => log.warn(`async worker: ${err.message}`));
  worker.on("failed", (job, err) =>
    log.warn(`async job ${job?.id} failed: ${err.message}`, {
      requestId: (job?.data as Partial<AsyncJob> | undefined)?.invocationId,
    }),
  );
  worker.on("closed", () => connection.disconnect());
  return worker;
}

/** `job` as a processor sees it; moving it back holds the lock with the run's `token`. */
function queueJob(job: Job, token: string | undefined): QueueJob {
  return {
    id: job.id,
    data: job.data,
    attemptsStarted: job.attemptsStarted,
    stalledCounter: job.stalledCounter,
    moveToDelayed: (at) => job.moveToDelayed(at, token),
  };
}

/** Tells BullMQ how a run ended: by the errors it knows a delayed job and an unrecoverable one by. */
function settle(end: JobEnd): void {
  if (end.kind === "delayed") throw new DelayedError();
  if (end.kind === "rejected") throw new UnrecoverableError(end.reason);
}

/** The parts of a BullMQ Queue that dueJobs reads. */
export type QueueCounts = Pick<Queue, "getJobCounts" | "getDelayedCount" | "isPaused" | "getRateLimitTtl" | "isMaxed">;

/**
 * Jobs a worker of `queue` could take at `now`: waiting, prioritized, and delayed
 * ones whose time has come (a worker promotes those itself as it fetches, so a stuck
 * one leaves them delayed). 0 when the queue hands out no job now. One round trip:
 * the reads go out together.
 */
export async function dueJobs(queue: QueueCounts, now: number): Promise<number> {
  const [counts, delayed, paused, limitTtl, maxed] = await Promise.all([
    queue.getJobCounts("wait", "prioritized"),
    queue.getDelayedCount(Math.floor(now)),
    queue.isPaused(),
    queue.getRateLimitTtl(),
    queue.isMaxed(),
  ]);
  if (paused || limitTtl > 0 || maxed) return 0;
  return (counts.wait ?? 0) + (counts.prioritized ?? 0) + delayed;
}
