// Reading a group's events as CloudWatch Logs pages them. GetLogEvents: one stream,
// the newest page first unless startFromHead, with forward and backward tokens that
// read on from either end of the page (an empty page answers the token it was given,
// which is how clients know they have reached the end). FilterLogEvents: a group's
// streams interleaved in time order, through a filter pattern; each call scans a
// bounded number of events, so a pattern that rarely matches over a huge range answers
// a page (empty, perhaps) and a nextToken rather than scanning without end.
import type { Cursor, LogEventStore } from "../store/log-event-store.js";
import type { LogEvent } from "../store/log-types.js";
import { FilterPatternError, parseFilterPattern } from "./filter-pattern.js";
import {
  type Body,
  bool,
  groupOf,
  int,
  invalidParameter,
  notFound,
  onlyKnown,
  str,
  streamName,
  time,
} from "./logs-input.js";
import { beforeTime, eventToken, MAX_ID, parseEventToken } from "./page-tokens.js";

/** CloudWatch's cap on one response's events, in bytes (messages and 26 bytes each). */
const MAX_PAGE_BYTES = 1_048_576;
/** Events FilterLogEvents reads from Postgres per statement, and at most per call. */
const SCAN_CHUNK = 1000;
const SCAN_BUDGET = 20_000;
const SCAN_MS = 2000;

const bytesOf = (e: LogEvent) => Buffer.byteLength(e.message) + 26;
const at = (e: LogEvent): Cursor => ({ ts: e.timestamp, id: BigInt(e.id) });

/** The events of `events` that fit in a page, taken from its start (or its end, `fromEnd`). */
function fit(events: LogEvent[], fromEnd: boolean): LogEvent[] {
  const order = fromEnd ? [...events].reverse() : events;
  let bytes = 0;
  let n = 0;
  for (const e of order) {
    bytes += bytesOf(e);
    if (bytes > MAX_PAGE_BYTES && n > 0) break;
    n++;
  }
  return fromEnd ? events.slice(events.length - n) : events.slice(0, n);
}

/** The position just before `c`: events after it are those at or after `c`. */
const justBefore = (c: Cursor): Cursor => (c.id === 0n ? { ts: c.ts - 1, id: MAX_ID } : { ts: c.ts, id: c.id - 1n });

export function createLogReads(store: LogEventStore, opts: { now?: () => number } = {}) {
  const now = opts.now ?? Date.now;

  async function existingGroup(accountId: string, body: Body): Promise<string> {
    const group = groupOf(body, accountId) as string;
    if (!(await store.getGroup(accountId, group))) throw notFound("The specified log group does not exist.");
    return group;
  }

  function unmasked(body: Body): void {
    if (bool(body, "unmask"))
      throw invalidParameter("unmask is not supported by Stratus (it has no data protection policies)");
  }

  return {
    async getLogEvents(accountId: string, body: Body) {
      onlyKnown(body, [
        "logGroupName",
        "logGroupIdentifier",
        "logStreamName",
        "startTime",
        "endTime",
        "nextToken",
        "limit",
        "startFromHead",
        "unmask",
      ]);
      unmasked(body);
      const group = await existingGroup(accountId, body);
      const stream = streamName(str(body, "logStreamName", 512));
      const startTime = time(body, "startTime");
      const endTime = time(body, "endTime");
      const limit = int(body, "limit", 1, 10_000) ?? 10_000;
      const given = str(body, "nextToken", 128);
      const token = given === undefined ? undefined : parseEventToken(given);
      if (given !== undefined && (!token || token.kind === "c"))
        throw invalidParameter("The specified nextToken is invalid.");
      if (!(await store.getStream(accountId, group, stream)))
        throw notFound("The specified log stream does not exist.");
      const forward = token ? token.kind === "f" : (bool(body, "startFromHead") ?? false);
      const cursor = token?.cursor;
      const events = fit(
        await store.streamEvents(accountId, group, stream, { startTime, endTime, cursor, backward: !forward, limit }),
        !forward,
      );
      const first = events[0];
      const last = events[events.length - 1];
      let f: Cursor;
      let b: Cursor;
      if (first && last) {
        f = at(last);
        b = at(first);
      } else if (cursor) {
        // Nothing on that side: the token read on the same way answers the same again.
        f = forward ? cursor : justBefore(cursor);
        b = forward ? { ts: cursor.ts, id: cursor.id + 1n } : cursor;
      } else {
        f = beforeTime(startTime ?? 0);
        b = f;
      }
      return {
        events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: eventToken("f", f),
        nextBackwardToken: eventToken("b", b),
      };
    },

    async filterLogEvents(accountId: string, body: Body) {
      onlyKnown(body, [
        "logGroupName",
        "logGroupIdentifier",
        "logStreamNames",
        "logStreamNamePrefix",
        "startTime",
        "endTime",
        "filterPattern",
        "nextToken",
        "limit",
        "interleaved",
        "unmask",
      ]);
      unmasked(body);
      bool(body, "interleaved"); // deprecated: events are always interleaved
      const group = await existingGroup(accountId, body);
      const names = body.logStreamNames;
      const prefix = str(body, "logStreamNamePrefix", 512);
      if (names !== undefined && prefix !== undefined) {
        throw invalidParameter("logStreamNames and logStreamNamePrefix cannot both be given");
      }
      if (names !== undefined && (!Array.isArray(names) || names.length < 1 || names.length > 100)) {
        throw invalidParameter("logStreamNames must be a list of 1 to 100 stream names");
      }
      const streams = (names as unknown[] | undefined)?.map((n) =>
        streamName(typeof n === "string" ? n : undefined, "logStreamNames"),
      );
      const startTime = time(body, "startTime");
      const endTime = time(body, "endTime");
      const limit = int(body, "limit", 1, 10_000) ?? 10_000;
      let match: (m: string) => boolean;
      try {
        match = parseFilterPattern(str(body, "filterPattern", 2048) ?? "");
      } catch (err) {
        if (err instanceof FilterPatternError) throw invalidParameter(`Invalid filter pattern: ${err.message}`);
        throw err;
      }
      const given = str(body, "nextToken", 128);
      const token = given === undefined ? undefined : parseEventToken(given);
      if (given !== undefined && token?.kind !== "c") throw invalidParameter("The specified nextToken is invalid.");

      let cursor = token?.cursor;
      const out: LogEvent[] = [];
      let bytes = 0;
      let scanned = 0;
      const began = now();
      for (;;) {
        const chunk = await store.groupEvents(accountId, group, {
          streams,
          streamPrefix: prefix,
          startTime,
          endTime,
          cursor,
          limit: SCAN_CHUNK,
        });
        for (const e of chunk) {
          if (match(e.message)) {
            if (out.length > 0 && bytes + bytesOf(e) > MAX_PAGE_BYTES) return page(out, cursor);
            out.push(e);
            bytes += bytesOf(e);
          }
          cursor = at(e);
          scanned++;
          if (out.length >= limit) return page(out, cursor);
        }
        if (chunk.length < SCAN_CHUNK) return page(out, undefined);
        if (scanned >= SCAN_BUDGET || now() - began >= SCAN_MS) return page(out, cursor);
      }
    },
  };
}

function page(events: LogEvent[], more: Cursor | undefined) {
  return {
    events: events.map((e) => ({
      logStreamName: e.stream,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
      eventId: e.id,
    })),
    searchedLogStreams: [],
    ...(more ? { nextToken: eventToken("c", more) } : {}),
  };
}

export type LogReads = ReturnType<typeof createLogReads>;
