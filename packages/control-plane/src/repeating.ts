// A control plane's background loop (firing schedules, purging, rolling up usage): a
// round runs, the next is due `intervalMs` after it ended, never two at once. A failed
// round is handed to `onError` and the loop goes on; stop() waits out the round in hand.
export interface Repeating {
  /** True once stop() was called: a round that works in batches ends after its current one. */
  stopped(): boolean;
  stop(): Promise<void>;
}

export function startRepeating(
  round: () => Promise<unknown>,
  opts: {
    intervalMs: number;
    firstAfterMs?: number;
    onError: (err: Error) => void;
    /** Let the process exit while the loop only waits (Node's timer.unref()). */
    unref?: boolean;
  },
): Repeating {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const wait = (ms: number) => {
    timer = setTimeout(tick, ms);
    if (opts.unref) timer.unref();
  };
  const tick = () => {
    running = round()
      .catch((err: Error) => opts.onError(err))
      .finally(() => {
        if (!stopped) wait(opts.intervalMs);
      });
  };
  wait(opts.firstAfterMs ?? 0);
  return {
    stopped: () => stopped,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
