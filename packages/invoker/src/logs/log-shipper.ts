// Sends finished invocation logs to the control plane for storage, in batches
// (POST /internal/v1/logs). A send that fails (the control plane away or erring) is
// retried with the next flush; a batch too large is sent in halves; one refused as
// invalid is dropped and counted, never resent for ever ahead of the rest. The queue
// is bounded, and what overflows is dropped and counted rather than growing memory.
//
// Sent with undici's request API on a keep-alive agent of its own: fetch, which it
// replaces, builds WHATWG requests, responses and web streams around every batch,
// on the event loop that also serves the node's invokes.
import { internalInvoke, type Logger } from "@stratus/shared";
import { Agent, request } from "undici";
import type { InvocationLog } from "./invocation-log.js";

// Every batch is one Postgres transaction on the control plane (the invocation logs,
// their streams and CloudWatch events, a commit): sent every 125 ms (batches of 50 at
// a busy node's rate), those transactions kept Postgres busy enough to slow every warm
// invoke beside them (1.2 to 1.5 ms of platform overhead at p50 against 0.68 with
// batches of 250 every 500 ms, BENCH_ONLY=warm on 2026-12-05). The control plane parses
// a batch in one go on its event loop (200 records took about 1.5 ms when last timed);
// logs now arrive within half a second of an invocation's end.
const FLUSH_MS = 500;
const BATCH = 250;
const MAX_QUEUED = 10_000;

/** When batches go: every `flushMs`, or as soon as `batch` records are queued. */
export interface ShipCadence {
  flushMs: number;
  batch: number;
}

export interface LogShipper {
  push(entry: InvocationLog): void;
  /** Sends what is queued (used at shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
  dropped(): number;
}

/** `onDropped` is told of each record dropped (the node's metric). */
export function createLogShipper(
  controlPlaneUrl: string,
  token: string,
  log: Pick<Logger, "warn">,
  onDropped: (count: number) => void = () => {},
  cadence: ShipCadence = { flushMs: FLUSH_MS, batch: BATCH },
): LogShipper {
  const queue: InvocationLog[] = [];
  let dropped = 0;
  const drop = (count: number) => {
    dropped += count;
    onDropped(count);
  };
  let sending: Promise<void> | undefined;
  const agent = new Agent({ keepAliveTimeout: 60_000, connections: 2 });
  const url = `${controlPlaneUrl}${internalInvoke.logsPath}`;

  // One pass: what was queued when it began, and any full batch formed meanwhile.
  // Records queued while a batch is on its way wait for the next interval: sending
  // them straight after would make the shipper a continuous stream of small batches
  // under load (each one a transaction: 18 a second in an async burst, 2026-12-05).
  async function send(): Promise<void> {
    let size = cadence.batch;
    let owed = queue.length;
    while (queue.length > 0 && (owed > 0 || queue.length >= cadence.batch)) {
      const batch = queue.slice(0, size);
      const res = await request(url, {
        method: "POST",
        headers: { "content-type": "application/json", [internalInvoke.tokenHeader]: token },
        body: JSON.stringify(batch),
        dispatcher: agent,
      });
      await res.body.dump();
      const status = res.statusCode;
      if (status >= 200 && status < 300) {
        queue.splice(0, batch.length);
        owed -= batch.length;
        size = cadence.batch;
      } else if (status === 413 && batch.length > 1) {
        // Too large together (a flood of escaped bytes): send the halves on their own.
        size = Math.ceil(batch.length / 2);
      } else if (status >= 400 && status < 500) {
        // Refused for what it is, a resend would be refused too, and would hold back
        // every log queued behind it: dropped, counted and said.
        queue.splice(0, batch.length);
        owed -= batch.length;
        drop(batch.length);
        log.warn(`control plane refused ${batch.length} invocation log(s) (${status}); dropped`);
      } else throw new Error(`control plane answered ${status}`);
    }
  }

  const pass = (): Promise<void> => {
    sending ??= send()
      .catch((err: Error) => log.warn(`could not ship invocation logs: ${err.message}`))
      .finally(() => {
        sending = undefined;
      });
    return sending;
  };
  /** Everything queued now: after a pass on its way, a pass of its own. */
  const flush = async (): Promise<void> => {
    if (sending) await sending;
    await pass();
  };
  const timer = setInterval(() => void pass(), cadence.flushMs);
  timer.unref();

  return {
    push(entry) {
      queue.push(entry);
      if (queue.length > MAX_QUEUED) {
        queue.shift();
        drop(1);
      }
      if (queue.length >= cadence.batch) void pass();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
      await agent.close();
    },
    dropped: () => dropped,
  };
}
