// How long an async job may still run. Each of its steps waits on something that can
// hang without end: a Postgres or Redis connection that stops answering without
// closing (a partition, a NAT that dropped the flow, a hung server) leaves its
// statement or command, and the job's slot in the worker, waiting for ever, and the
// watchdog never judges a worker whose slots are all held so. The worker gives each
// step of a job a bound, and the call to an invoker node the time the node has to
// answer (the function's timeout plus slack) on top; a job still running past its
// deadline is given up and runs again (job-give-back.ts).

/** The job ran past its deadline. */
export class JobOverdueError extends Error {
  constructor(ms: number) {
    super(`the job was still running ${ms} ms after its last step began`);
    this.name = "JobOverdueError";
  }
}

export interface JobDeadline {
  /** From now, the job may run `ms` more (replacing the bound set before). */
  allow(ms: number): void;
  /** Rejects with a JobOverdueError once the deadline passes; never settles if it does not. */
  readonly passed: Promise<never>;
  /** Aborted, with that error, once the deadline passes: nothing is to be started for the job after that. */
  readonly signal: AbortSignal;
  /** Stops the clock: the job has ended. */
  clear(): void;
}

/** Runs one step of a job (a Postgres statement, a Redis command), which may take a step's time from its start. */
export type Step = <T>(begin: () => Promise<T>) => Promise<T>;

/** Steps that each move `deadline` on by `stepMs` as they begin. */
export function stepper(deadline: JobDeadline, stepMs: number): Step {
  return (begin) => {
    deadline.allow(stepMs);
    return begin();
  };
}

/** A deadline `ms` from now. */
export function startDeadline(ms: number): JobDeadline {
  const overdue = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let fail: (err: Error) => void = () => undefined;
  const passed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  // Whoever races it handles the rejection; a job that ended first never sees it.
  passed.catch(() => undefined);
  const deadline: JobDeadline = {
    allow(next) {
      if (overdue.signal.aborted) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const err = new JobOverdueError(next);
        overdue.abort(err);
        fail(err);
      }, next);
    },
    passed,
    signal: overdue.signal,
    clear: () => clearTimeout(timer),
  };
  deadline.allow(ms);
  return deadline;
}
