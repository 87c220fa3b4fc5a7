// StartLiveTail: a session's request checked as CloudWatch Logs checks it (1 to 10
// log groups by ARN or name, which must exist; stream names or prefixes only with
// one group; a filter pattern), then its events as they are ingested, until the
// client goes, the 3 hours CloudWatch allows pass (SessionTimeoutException), or the
// control plane stops. An account may hold a bounded number of sessions at once on
// one control plane (LimitExceededException past it).
import { randomUUID } from "node:crypto";
import { StratusError } from "@stratus/shared";
import type { LogEventStore } from "../store/log-event-store.js";
import { FilterPatternError, parseFilterPattern } from "./filter-pattern.js";
import type { LiveTailHub } from "./live-tail-hub.js";
import { createSessionBuffer, type LiveTailFilter, type LiveTailUpdate } from "./live-tail-session.js";
import { type Body, groupOf, invalidParameter, notFound, onlyKnown, str, streamName } from "./logs-input.js";

/** CloudWatch's longest live tail session. */
export const MAX_SESSION_MS = 3 * 60 * 60 * 1000;

export interface LiveTailStart {
  requestId: string;
  sessionId: string;
  logGroupIdentifiers: string[];
  logStreamNames?: string[];
  logStreamNamePrefixes?: string[];
  logEventFilterPattern?: string;
}

/** Where a session's messages go; `end` is called once, with the reason if the session timed out. */
export interface LiveTailSink {
  update(u: LiveTailUpdate): void;
  end(timeout?: StratusError): void;
}

export interface LiveTailSession {
  start: LiveTailStart;
  /** Starts sending to `sink`; returns the function that ends the session (the client went). */
  attach(sink: LiveTailSink): () => void;
}

const limitExceeded = (message: string) => new StratusError("LimitExceededException", 400, "client", message);

function list(body: Body, field: string, min: number, max: number): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length < min || v.length > max || v.some((x) => typeof x !== "string")) {
    throw invalidParameter(`${field} must be a list of ${min} to ${max} strings`);
  }
  return v as string[];
}

export function createLiveTail(
  store: Pick<LogEventStore, "getGroup">,
  hub: LiveTailHub,
  opts: { maxSessionsPerAccount: number; maxSessionMs?: number; onWatch?: () => void },
) {
  const maxMs = opts.maxSessionMs ?? MAX_SESSION_MS;
  const open = new Map<string, number>();
  const ends = new Set<() => void>();

  async function filterOf(accountId: string, body: Body): Promise<{ filter: LiveTailFilter; start: LiveTailStart }> {
    onlyKnown(body, ["logGroupIdentifiers", "logStreamNames", "logStreamNamePrefixes", "logEventFilterPattern"]);
    const ids = list(body, "logGroupIdentifiers", 1, 10);
    if (!ids) throw invalidParameter("logGroupIdentifiers is required");
    const groups = new Map<string, string>();
    for (const id of ids) {
      if (id.endsWith("*")) throw invalidParameter("A log group ARN in logGroupIdentifiers cannot end with *");
      groups.set(groupOf({ logGroupIdentifier: id }, accountId) as string, id);
    }
    const names = list(body, "logStreamNames", 1, 100);
    const prefixes = list(body, "logStreamNamePrefixes", 1, 100);
    if (names && prefixes) throw invalidParameter("logStreamNames and logStreamNamePrefixes cannot both be given");
    if ((names || prefixes) && ids.length !== 1) {
      throw invalidParameter("logStreamNames and logStreamNamePrefixes need exactly one log group");
    }
    for (const n of names ?? []) streamName(n, "logStreamNames");
    for (const p of prefixes ?? []) streamName(p, "logStreamNamePrefixes");
    const pattern = str(body, "logEventFilterPattern", 1024);
    let match: LiveTailFilter["match"];
    try {
      match = parseFilterPattern(pattern ?? "");
    } catch (err) {
      if (err instanceof FilterPatternError) throw invalidParameter(`Invalid filter pattern: ${err.message}`);
      throw err;
    }
    for (const g of groups.keys()) {
      if (!(await store.getGroup(accountId, g))) throw notFound(`The specified log group does not exist: ${g}`);
    }
    const start: LiveTailStart = {
      requestId: randomUUID(),
      sessionId: randomUUID(),
      logGroupIdentifiers: ids,
      ...(names ? { logStreamNames: names } : {}),
      ...(prefixes ? { logStreamNamePrefixes: prefixes } : {}),
      ...(pattern !== undefined ? { logEventFilterPattern: pattern } : {}),
    };
    return {
      filter: { groups, match, ...(names ? { streams: new Set(names) } : {}), ...(prefixes ? { prefixes } : {}) },
      start,
    };
  }

  return {
    /** Checks the request and reserves the account's session; nothing is held if it throws. */
    async open(accountId: string, body: Body): Promise<LiveTailSession> {
      const { filter, start } = await filterOf(accountId, body);
      if ((open.get(accountId) ?? 0) >= opts.maxSessionsPerAccount) {
        throw limitExceeded(
          `This account already has ${opts.maxSessionsPerAccount} live tail sessions open, the most allowed`,
        );
      }
      open.set(accountId, (open.get(accountId) ?? 0) + 1);
      return {
        start,
        attach(sink) {
          opts.onWatch?.();
          const buffer = createSessionBuffer(filter, (u) => sink.update(u));
          const unsubscribe = hub.subscribe(accountId, [...filter.groups.keys()], buffer.offer);
          let ended = false;
          const end = (timeout?: StratusError) => {
            if (ended) return;
            ended = true;
            clearTimeout(timer);
            buffer.close();
            unsubscribe();
            ends.delete(stop);
            const left = (open.get(accountId) ?? 1) - 1;
            if (left > 0) open.set(accountId, left);
            else open.delete(accountId);
            sink.end(timeout);
          };
          const stop = () => end();
          const timer = setTimeout(
            () =>
              end(
                new StratusError(
                  "SessionTimeoutException",
                  400,
                  "client",
                  `The live tail session ended after its ${Math.round(maxMs / 60_000)} minutes`,
                ),
              ),
            maxMs,
          );
          timer.unref();
          ends.add(stop);
          return stop;
        },
      };
    },

    /** Ends every session (the control plane is stopping). */
    closeAll(): void {
      for (const end of [...ends]) end();
    },
  };
}

export type LiveTail = ReturnType<typeof createLiveTail>;
