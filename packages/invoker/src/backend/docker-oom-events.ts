// One container's "oom" events, read from the Docker engine's event stream, for
// oom-check.ts. The engine replays the recent events from `since` on, then streams
// new ones until `until`.
import type Docker from "dockerode";
import type { OomEvents } from "./oom-check.js";

/** Docker's events API counts in whole seconds: `since` is rounded down, `until` up, so the window only grows. */
export function dockerOomEvents(docker: Docker, id: string): OomEvents {
  return async (sinceMs, untilMs, signal) => {
    const stream = (await docker.getEvents({
      since: Math.floor(sinceMs / 1000),
      until: Math.ceil(untilMs / 1000),
      filters: { type: ["container"], container: [id], event: ["oom"] },
      abortSignal: signal,
    })) as NodeJS.ReadableStream;
    return new Promise<boolean>((resolve) => {
      // The filters let nothing else through: any data is an oom event of this container.
      stream.once("data", () => resolve(true));
      stream.once("end", () => resolve(false));
      // Kept for good: aborting the request makes the stream fail, perhaps after it ended.
      stream.on("error", () => resolve(false));
      if (signal.aborted) resolve(false);
      else signal.addEventListener("abort", () => resolve(false), { once: true });
    });
  };
}
