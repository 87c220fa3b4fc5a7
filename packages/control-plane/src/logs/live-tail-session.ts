// One live tail's stream of updates: the fresh events of its groups that pass its
// stream names or prefixes and its filter pattern, sent as a sessionUpdate at once
// when none went out in the last second, else at the second's end; at most 500 per
// update, a uniform sample (reservoir) of them when more matched, marked `sampled`,
// as CloudWatch does. With nothing to send, an empty update every second is the
// heartbeat that tells the client the session is alive.
import type { Matcher } from "./json-pattern.js";
import type { LiveEvent } from "./live-tail-hub.js";

export const UPDATE_MS = 1000;
export const MAX_PER_UPDATE = 500;

export interface LiveTailFilter {
  /** The session's groups by name, each with the identifier the request gave for it. */
  groups: Map<string, string>;
  streams?: Set<string>;
  prefixes?: string[];
  match: Matcher;
}

export interface LiveTailUpdate {
  sessionMetadata: { sampled: boolean };
  sessionResults: {
    logStreamName: string;
    logGroupIdentifier: string;
    message: string;
    timestamp: number;
    ingestionTime: number;
  }[];
}

export interface SessionBuffer {
  offer(group: string, events: LiveEvent[]): void;
  close(): void;
}

type Result = LiveTailUpdate["sessionResults"][number];

export function createSessionBuffer(
  filter: LiveTailFilter,
  send: (u: LiveTailUpdate) => void,
  opts: { random?: () => number; now?: () => number } = {},
): SessionBuffer {
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  let held: Result[] = [];
  let seen = 0;
  let lastResults = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let due = Number.POSITIVE_INFINITY;
  let closed = false;

  const arm = (at: number) => {
    clearTimeout(timer);
    due = at;
    timer = setTimeout(fire, Math.max(0, at - now()));
  };
  const fire = () => {
    timer = undefined;
    due = Number.POSITIVE_INFINITY;
    if (closed) return;
    const sampled = seen > MAX_PER_UPDATE;
    if (sampled) held.sort((a, b) => a.timestamp - b.timestamp);
    const update = { sessionMetadata: { sampled }, sessionResults: held };
    if (held.length > 0) lastResults = now();
    held = [];
    seen = 0;
    send(update);
    if (!closed) arm(now() + UPDATE_MS);
  };
  const passes = (e: LiveEvent) =>
    (!filter.streams || filter.streams.has(e.stream)) &&
    (!filter.prefixes || filter.prefixes.some((p) => e.stream.startsWith(p))) &&
    filter.match(e.message);

  arm(now() + UPDATE_MS);
  return {
    offer(group, events) {
      const identifier = filter.groups.get(group);
      if (closed || identifier === undefined) return;
      let added = false;
      for (const e of events) {
        if (!passes(e)) continue;
        const r = {
          logStreamName: e.stream,
          logGroupIdentifier: identifier,
          message: e.message,
          timestamp: e.timestamp,
          ingestionTime: e.ingestionTime,
        };
        seen++;
        added = true;
        if (held.length < MAX_PER_UPDATE) held.push(r);
        else {
          const j = Math.floor(random() * seen);
          if (j < MAX_PER_UPDATE) held[j] = r;
        }
      }
      const at = Math.max(now(), lastResults + UPDATE_MS);
      if (added && at < due) arm(at);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
