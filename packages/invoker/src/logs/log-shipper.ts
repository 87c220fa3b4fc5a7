// Sends finished invocation logs to the control plane for storage, in batches
// (POST /internal/v1/logs). A failed send is retried with the next batch; the queue
// is bounded, and what overflows is dropped and counted rather than growing memory.
import { internalInvoke } from "@stratus/shared";
import type { InvocationLog } from "../pool/container-pool.js";

const FLUSH_MS = 500;
const BATCH = 200;
const MAX_QUEUED = 10_000;

export interface LogShipper {
  push(entry: InvocationLog): void;
  /** Sends what is queued (used at shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
  dropped(): number;
}

export function createLogShipper(controlPlaneUrl: string, token: string, log: Pick<Console, "warn">): LogShipper {
  const queue: InvocationLog[] = [];
  let dropped = 0;
  let sending: Promise<void> | undefined;

  async function send(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, BATCH);
      const res = await fetch(`${controlPlaneUrl}${internalInvoke.logsPath}`, {
        method: "POST",
        headers: { "content-type": "application/json", [internalInvoke.tokenHeader]: token },
        body: JSON.stringify(batch),
      });
      if (!res.ok) throw new Error(`control plane answered ${res.status}`);
      queue.splice(0, batch.length);
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
        dropped++;
      }
      if (queue.length >= BATCH) void flush();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
    dropped: () => dropped,
  };
}
