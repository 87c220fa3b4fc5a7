// Which of a poll's invocation logs are new. The log API answers the newest N,
// newest first; an invocation is new when its (request id, start) was not in the
// previous answer nor printed before. Only the last answer's keys are kept: an
// invocation that falls out of the window never comes back into it.
import type { InvocationLog } from "./log-api.js";

const key = (l: InvocationLog) => `${l.RequestId} ${l.StartedAt}`;

export interface LogWindow {
  /** The logs of `page` (newest first) not seen before, oldest first. */
  fresh(page: InvocationLog[]): InvocationLog[];
}

export function createLogWindow(seen: InvocationLog[] = []): LogWindow {
  let keys = new Set(seen.map(key));
  return {
    fresh(page) {
      const out = page.filter((l) => !keys.has(key(l))).reverse();
      keys = new Set(page.map(key));
      return out;
    },
  };
}
