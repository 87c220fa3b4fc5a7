// The poll loop of one mapping held by this control plane: connect the source (a
// problem is shown and retried with backoff), gather a batch by size, bytes or
// window, send it, and start again. Errors and empty polls each back off on their
// own doubling schedule, reset by a success, as LocalStack's ESM worker does.
import type { Logger } from "@stratus/shared";
import { limits } from "@stratus/shared";
import type { SendOutcome } from "./batch-sender.js";
import { type BackoffPolicy, backoffMs, batchDecision } from "./batching.js";
import { type SourcePoller, SourceProblem, type SourceRecord } from "./source-poller.js";

export interface RunnerOptions {
  batchSize: number;
  windowMs: number;
  /** How long an idle poll waits for a first record (doubling up to the cap while idle). */
  idle: BackoffPolicy;
  errors: BackoffPolicy;
}

export interface MappingRunner {
  readonly revision: number;
  stop(): Promise<void>;
}

export function startMappingRunner<R extends SourceRecord>(
  revision: number,
  openPoller: () => SourcePoller<R>,
  sender: { send(poller: SourcePoller<R>, records: R[]): Promise<SendOutcome> },
  report: (result: string) => Promise<void>,
  opts: RunnerOptions,
  log: Pick<Logger, "warn">,
  now = Date.now,
): MappingRunner {
  const abort = new AbortController();
  const signal = abort.signal;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  let last = "";
  const show = async (result: string) => {
    if (result === last) return;
    last = result;
    await report(result).catch((err: Error) => log.warn("could not record an event source mapping's result", { err }));
  };

  async function gather(poller: SourcePoller<R>, idleWait: number): Promise<R[]> {
    const got = await poller.take(opts.batchSize, idleWait, signal);
    if (got.length === 0) return got;
    const firstAt = now();
    let bytes = got.reduce((n, r) => n + r.size, 0);
    for (;;) {
      const d = batchDecision(
        { count: got.length, bytes, firstAt },
        { batchSize: opts.batchSize, windowMs: opts.windowMs, maxBytes: limits.syncPayloadBytes },
        now(),
      );
      if (d.send || signal.aborted || poller.broken()) return got;
      const more = await poller.take(opts.batchSize - got.length, d.waitMs, signal);
      got.push(...more);
      bytes += more.reduce((n, r) => n + r.size, 0);
    }
  }

  async function loop(): Promise<void> {
    let poller: SourcePoller<R> | undefined;
    let errorsInARow = 0;
    let emptyInARow = 0;
    while (!signal.aborted) {
      try {
        if (!poller) {
          const p = openPoller();
          try {
            await p.connect();
          } catch (err) {
            await p.close();
            throw err;
          }
          poller = p;
          if (last.startsWith("PROBLEM")) await show("No records processed");
        }
        const records = await gather(poller, emptyInARow === 0 ? opts.idle.baseMs : backoffMs(emptyInARow, opts.idle));
        const problem = poller.broken();
        if (problem) throw problem;
        if (records.length === 0) {
          emptyInARow++;
          continue;
        }
        emptyInARow = 0;
        const outcome = await sender.send(poller, records);
        if (outcome.ok) {
          errorsInARow = 0;
          await show("OK");
        } else {
          errorsInARow++;
          await show(`PROBLEM: ${outcome.problem}`);
          await pause(backoffMs(errorsInARow, opts.errors));
        }
      } catch (err) {
        errorsInARow++;
        const message = err instanceof SourceProblem ? err.message : `Internal error: ${(err as Error).message}`;
        if (!(err instanceof SourceProblem)) log.warn("event source mapping poll failed", { err });
        await show(`PROBLEM: ${message}`);
        await poller?.close();
        poller = undefined;
        await pause(backoffMs(errorsInARow, opts.errors));
      }
    }
    await poller?.close();
  }

  const done = loop();
  return {
    revision,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
