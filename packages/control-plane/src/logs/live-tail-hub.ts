// Fresh log events handed to the live tails that watch their group, in this process:
// ingestion publishes what it committed; the Postgres listener publishes what other
// control planes committed (log-notify.ts). Subscribers are indexed by account and
// group, so a publish nobody watches costs a map lookup.

/** One fresh event, as a live tail shows it. */
export interface LiveEvent {
  stream: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

export type LiveListener = (group: string, events: LiveEvent[]) => void;

export interface LiveTailHub {
  /** Calls `listener` with each group's fresh events until the returned function is called. */
  subscribe(accountId: string, groups: string[], listener: LiveListener): () => void;
  publish(accountId: string, group: string, events: LiveEvent[]): void;
  /** Whether anyone here watches the group. */
  watched(accountId: string, group: string): boolean;
}

export function createLiveTailHub(): LiveTailHub {
  const byGroup = new Map<string, Set<LiveListener>>();
  const key = (accountId: string, group: string) => `${accountId}\0${group}`;
  return {
    subscribe(accountId, groups, listener) {
      const keys = [...new Set(groups)].map((g) => key(accountId, g));
      for (const k of keys) {
        const set = byGroup.get(k) ?? new Set();
        set.add(listener);
        byGroup.set(k, set);
      }
      return () => {
        for (const k of keys) {
          const set = byGroup.get(k);
          set?.delete(listener);
          if (set?.size === 0) byGroup.delete(k);
        }
      };
    },
    publish(accountId, group, events) {
      if (events.length === 0) return;
      for (const l of byGroup.get(key(accountId, group)) ?? []) l(group, events);
    },
    watched: (accountId, group) => byGroup.has(key(accountId, group)),
  };
}
