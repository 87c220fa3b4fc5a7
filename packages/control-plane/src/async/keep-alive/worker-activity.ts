// What a queue worker's watchdog knows of the jobs it runs, reported by the worker's
// processor itself (not by BullMQ's events, which a lost lock or a failed completion
// can skip): how many run now, when one last started or ended, and when none runs.

/** What a worker tells its watchdog: each job it starts, and when that job ends. */
export interface JobActivity {
  /** Called as a job starts; returns the function to call once it has ended (calling it again does nothing). */
  started(): () => void;
}

export interface ActivityRecord {
  /** Handed to the worker. */
  activity: JobActivity;
  /** Jobs running now. */
  busy(): number;
  /** When a job last started or ended, or the record was made. */
  lastActivityAt(): number;
  /** Settles once no job runs (at once if none does). */
  idle(): Promise<void>;
}

export function createActivityRecord(now: () => number = Date.now): ActivityRecord {
  let busy = 0;
  let lastAt = now();
  let waiters: (() => void)[] = [];
  return {
    activity: {
      started() {
        busy++;
        lastAt = now();
        let ended = false;
        return () => {
          if (ended) return;
          ended = true;
          busy--;
          lastAt = now();
          if (busy > 0) return;
          for (const wake of waiters) wake();
          waiters = [];
        };
      },
    },
    busy: () => busy,
    lastActivityAt: () => lastAt,
    idle: () => (busy === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}
