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

// Small batches, sent often: the control plane parses and validates a batch in one
// go on the event loop that serves invokes, so a batch of 200 held every invoke
// behind it for about 1.5 ms (the tail of sync latency); one of 50 takes a quarter.
const FLUSH_MS = 200;
const BATCH = 50;
const MAX_QUEUED = 10_000;

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

  async function send(): Promise<void> {
    let size = BATCH;
    while (queue.length > 0) {
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
        size = BATCH;
      } else if (status === 413 && batch.length > 1) {
        // Too large together (a flood of escaped bytes): send the halves on their own.
        size = Math.ceil(batch.length / 2);
      } else if (status >= 400 && status < 500) {
        // Refused for what it is, a resend would be refused too, and would hold back
        // every log queued behind it: dropped, counted and said.
        queue.splice(0, batch.length);
        drop(batch.length);
        log.warn(`control plane refused ${batch.length} invocation log(s) (${status}); dropped`);
      } else throw new Error(`control plane answered ${status}`);
    }
  }

  const flush = (): Promise<void> => {
    sending ??= send()
      .catch((err: Error) => log.warn(`could not ship invocation logs: ${err.message}`))
      .finally(() => {
        sending = undefined;
      });
    return sending;
  };
  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();

  return {
    push(entry) {
      queue.push(entry);
      if (queue.length > MAX_QUEUED) {
        queue.shift();
        drop(1);
      }
      if (queue.length >= BATCH) void flush();
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
