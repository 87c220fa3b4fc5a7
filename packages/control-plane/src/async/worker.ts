// The async queue's worker: a BullMQ worker on a Redis connection of its own, feeding
// each job to the job runner (job-runner.ts). The watchdog (keep-alive/worker-watchdog.ts)
// replaces a worker that stops or stalls, with a new connection.

import type { Logger } from "@stratus/shared";
import { asyncQueue } from "@stratus/shared";
import { type Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { InvokeService } from "../services/invoke-service.js";
import type { AsyncStore } from "../store/async-store.js";
import { createJobRunner, type JobRunnerConfig, type JobWatch } from "./job-runner.js";

export interface WorkerConfig extends JobRunnerConfig {
  /** Each worker opens its own connection here, so that a replacement never inherits a hung one. */
  redisUrl: string;
  concurrency: number;
}

/** The name the worker's Redis connection goes by in CLIENT LIST. */
export const WORKER_CONNECTION_NAME = "stratus:async-worker";

export function startAsyncWorker(
  store: AsyncStore,
  queue: Queue,
  invoke: InvokeService,
  config: WorkerConfig,
  log: Logger,
  watch: JobWatch = {},
): Worker {
  const tracked = createJobRunner(store, queue, invoke, config, log, watch);
  // BullMQ requires maxRetriesPerRequest: null here; it duplicates this connection
  // for its blocking fetch, and leaves the connection itself to us.
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null, connectionName: WORKER_CONNECTION_NAME });
  connection.on("error", (err: Error) => log.warn(`redis (async worker): ${err.message}`));
  const worker = new Worker(asyncQueue.name, tracked, {
    connection,
    concurrency: config.concurrency,
    lockDuration: 30_000,
    stalledInterval: 30_000,
    maxStalledCount: 1,
  });
  worker.on("error", (err) => log.warn(`async worker: ${err.message}`));
  worker.on("failed", (job, err) => log.warn(`async job ${job?.id} failed: ${err.message}`));
  worker.on("closed", () => connection.disconnect());
  return worker;
}
