// How a push-fed poller (RabbitMQ, Kafka) waits in take() for its first record: until
// the source signals an arrival (or a break), the wait runs out, or the runner aborts.

export interface Arrival {
  /** Ends the wait under way, if any (a record arrived, or the connection broke). */
  signal(): void;
  /** Waits up to `waitMs` (Infinity: no limit) or until `abort` fires or signal() is called. */
  wait(waitMs: number, abort: AbortSignal): Promise<void>;
}

export function createArrival(): Arrival {
  let wake: (() => void) | undefined;
  return {
    signal: () => wake?.(),
    wait(waitMs, abort) {
      if (waitMs <= 0 || abort.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          abort.removeEventListener("abort", done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, Number.isFinite(waitMs) ? waitMs : 2 ** 31 - 1);
        abort.addEventListener("abort", done);
        wake = done;
      });
    },
  };
}
