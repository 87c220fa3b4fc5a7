// Whether a queue worker that still runs has stopped taking work. A BullMQ Worker
// can stay "running" while it fetches nothing: a Redis connection that hangs without
// closing (a network partition, a dropped NAT entry, a Redis that stopped answering)
// leaves a command such as its moveToActive waiting forever, and its internal loop
// with it. From outside this shows as due jobs waiting in the queue while the worker
// has a free slot and starts none. A healthy worker takes such a job within
// milliseconds; one that has not for `stallMs` is judged stalled.
//
// The decision is pure (judgeStall); the queue's dueJobs reads what is due, and counts
// nothing while the queue may not hand jobs out: paused, rate limited, or at its global
// concurrency. A worker busy at full concurrency is never judged: it has no slot to
// fetch with.

export interface StallObservation {
  now: number;
  /** Jobs a worker could take now (see dueJobs). */
  due: number;
  /** Jobs the worker is running, and how many it may run at once. */
  busy: number;
  concurrency: number;
  /** When the worker last started or finished a job, or was created. */
  lastActivityAt: number;
}

export interface StallVerdict {
  /**
   * Since when every observation has seen due jobs and a free slot (undefined: the
   * last one did not). Passed back in with the next observation.
   */
  since: number | undefined;
  stalled: boolean;
}

/**
 * `since` is the previous verdict's. Stalled when, for `stallMs`, every observation
 * saw due jobs and a free slot and the worker neither started nor finished a job
 * (a finish frees a slot, which a healthy worker fills at once when jobs are due).
 */
export function judgeStall(since: number | undefined, o: StallObservation, stallMs: number): StallVerdict {
  if (o.due <= 0 || o.busy >= o.concurrency) return { since: undefined, stalled: false };
  const from = since ?? o.now;
  return { since: from, stalled: o.now - Math.max(from, o.lastActivityAt) >= stallMs };
}
