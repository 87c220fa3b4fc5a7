// The queue the async path hands its jobs to, as that path uses it: jobs that each name
// an invocation to run, under the job id the store records for it; workers that run
// them; and what the reconciler and the worker's keep-alive read of it. Postgres holds
// the truth: the queue only says what to run next. bullmq-queue.ts implements it.

/** A job that runs `invocationId`. Adding a job id the queue holds already leaves that job as it is. */
export interface NewJob {
  invocationId: string;
  jobId: string;
  /** Due this long from now (absent: at once). */
  delayMs?: number;
}

/** A job as a worker hands it to its processor. */
export interface QueueJob {
  readonly id: string | undefined;
  /** What the job was added with: the processor checks it, the queue does not. */
  readonly data: unknown;
  /** Runs of the job started by any worker, this one included. */
  readonly attemptsStarted: number;
  /** Times the job was taken back from a worker that lost it (crashed or cut off), to run again. */
  readonly stalledCounter: number;
  /** Makes the job due again at `at` (ms since the epoch) while this run still holds it; the run then ends `delayed`. */
  moveToDelayed(at: number): Promise<void>;
}

/**
 * How a run of a job ended: done (the job completes); delayed (moved back with
 * moveToDelayed, to run again); rejected (the job fails for good, with `reason`: no run
 * of it can succeed). A run that throws fails the job.
 */
export type JobEnd = { kind: "done" } | { kind: "delayed" } | { kind: "rejected"; reason: string };

export type JobProcessor = (job: QueueJob) => Promise<JobEnd>;

/** A worker running a processor over the queue's jobs, on connections of its own. */
export interface QueueWorker {
  /** Jobs it runs at once, at most. */
  readonly concurrency: number;
  /** Whether it still fetches jobs: false once closed, paused, or its run ended in a failure. */
  isRunning(): boolean;
  /** `listener` is called when the worker has closed, or reports an error (it may have stopped). */
  on(event: "closed" | "error", listener: () => void): unknown;
  /** Stops fetching; resolves once the jobs it runs have ended and it has let go of its connections. */
  close(): Promise<void>;
  /** Drops its connections at once (for a close that cannot finish on a connection that hangs). */
  disconnect(): Promise<void>;
}

export interface AsyncQueue {
  add(job: NewJob): Promise<void>;
  /** Adds `jobs` in one round trip. */
  addMany(jobs: NewJob[]): Promise<void>;
  /** Whether the job will still run (or is running) its invocation; false: it ended, or the queue lost it. */
  isLive(jobId: string): Promise<boolean>;
  /** Jobs a worker could take at `now` (ms): 0 while the queue hands none out (paused, rate limited, at its limit). */
  dueJobs(now: number): Promise<number>;
  /** Starts a worker running `processor` over the queue's jobs, `concurrency` at a time. */
  startWorker(processor: JobProcessor, concurrency: number): QueueWorker;
  /** Lets go of the producer's connection (each worker closes by itself). */
  close(): Promise<void>;
}
