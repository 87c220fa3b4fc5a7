// GetLogEvents' and FilterLogEvents' paging over an in-memory store: tokens that read
// on from either end of a page, the end answered with the token given, and a filter
// that rarely matches answering bounded pages with a nextToken instead of scanning on.
import { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { Cursor, EventQuery, GroupEventQuery, LogEventStore } from "../store/log-event-store.js";
import type { LogEvent } from "../store/log-types.js";
import { createLogReads } from "./log-reads.js";

const before = (a: Cursor, b: Cursor) => a.ts < b.ts || (a.ts === b.ts && a.id < b.id);

function fakeStore(events: LogEvent[]) {
  const query = (list: LogEvent[], q: EventQuery) => {
    let out = list.filter(
      (e) =>
        (q.startTime === undefined || e.timestamp >= q.startTime) &&
        (q.endTime === undefined || e.timestamp < q.endTime),
    );
    const at = (e: LogEvent): Cursor => ({ ts: e.timestamp, id: BigInt(e.id) });
    if (q.cursor) {
      const c = q.cursor;
      out = out.filter((e) => (q.backward ? before(at(e), c) : before(c, at(e))));
    }
    return q.backward ? out.slice(-q.limit) : out.slice(0, q.limit);
  };
  const store = {
    getGroup: async (_a: string, name: string) => (name === "g" ? { name, createdAt: 0, storedBytes: 0 } : undefined),
    getStream: async (_a: string, _g: string, name: string) =>
      name === "s" ? { name, createdAt: 0, firstEventAt: 0, lastEventAt: 0, lastIngestionAt: 0 } : undefined,
    streamEvents: async (_a: string, _g: string, _s: string, q: EventQuery) => query(events, q),
    groupEvents: async (_a: string, _g: string, q: GroupEventQuery) => query(events, q),
  };
  return store as unknown as LogEventStore;
}

const make = (n: number, message: (i: number) => string = (i) => `line ${i}`): LogEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: String(i + 1),
    stream: "s",
    timestamp: 1000 + Math.floor(i / 2), // two events per millisecond
    ingestionTime: 5000,
    message: message(i),
  }));

describe("GetLogEvents", () => {
  const reads = createLogReads(fakeStore(make(7)));
  const get = (body: Record<string, unknown>) =>
    reads.getLogEvents("123456789012", { logGroupName: "g", logStreamName: "s", ...body });

  it("pages forward from the head to a repeated token", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await get({ startFromHead: true, limit: 3, ...(token ? { nextToken: token } : {}) });
      seen.push(...page.events.map((e) => e.message));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(seen).toEqual(make(7).map((e) => e.message));
  });

  it("pages backward from the newest", async () => {
    const newest = await get({ limit: 3 });
    expect(newest.events.map((e) => e.message)).toEqual(["line 4", "line 5", "line 6"]);
    const older = await get({ limit: 3, nextToken: newest.nextBackwardToken });
    expect(older.events.map((e) => e.message)).toEqual(["line 1", "line 2", "line 3"]);
    const oldest = await get({ limit: 3, nextToken: older.nextBackwardToken });
    expect(oldest.events.map((e) => e.message)).toEqual(["line 0"]);
    const none = await get({ limit: 3, nextToken: oldest.nextBackwardToken });
    expect(none.events).toEqual([]);
    expect(none.nextBackwardToken).toBe(oldest.nextBackwardToken);
    // From the start again, forward.
    const forward = await get({ limit: 2, nextToken: none.nextForwardToken });
    expect(forward.events.map((e) => e.message)).toEqual(["line 0", "line 1"]);
  });

  it("keeps to startTime and endTime", async () => {
    const page = await get({ startFromHead: true, startTime: 1001, endTime: 1003 });
    expect(page.events.map((e) => e.message)).toEqual(["line 2", "line 3", "line 4", "line 5"]);
  });

  it.each([
    [{ nextToken: "nope" }, "InvalidParameterException"],
    [{ nextToken: "c/1/1" }, "InvalidParameterException"],
    [{ limit: 0 }, "InvalidParameterException"],
    [{ limit: 10_001 }, "InvalidParameterException"],
    [{ logStreamName: "other" }, "ResourceNotFoundException"],
    [{ logGroupName: "other" }, "ResourceNotFoundException"],
    [{ unmask: true }, "InvalidParameterException"],
    [{ surprise: 1 }, "InvalidParameterException"],
  ])("refuses %j with %s", async (body, code) => {
    await expect(get(body)).rejects.toSatisfy((e: unknown) => e instanceof StratusError && e.code === code);
  });
});

describe("FilterLogEvents", () => {
  it("answers a bounded page and a token when matches are rare", async () => {
    const n = 45_000;
    // A clock that stands still: the bound under test is the count of events read.
    const reads = createLogReads(fakeStore(make(n, (i) => (i === n - 1 ? "needle" : `hay ${i}`))), { now: () => 0 });
    const pages: number[] = [];
    const found: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await reads.filterLogEvents("123456789012", {
        logGroupName: "g",
        filterPattern: "needle",
        ...(token ? { nextToken: token } : {}),
      });
      pages.push(page.events.length);
      found.push(...page.events.map((e) => e.message));
      if (!("nextToken" in page)) break;
      token = page.nextToken;
    }
    // 20,000 events read per call at most: three calls, the needle in the last.
    expect(pages).toEqual([0, 0, 1]);
    expect(found).toEqual(["needle"]);
  });

  it("pages matches by limit without losing or repeating any", async () => {
    const reads = createLogReads(fakeStore(make(9)));
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await reads.filterLogEvents("123456789012", {
        logGroupName: "g",
        limit: 2,
        ...(token ? { nextToken: token } : {}),
      });
      seen.push(...page.events.map((e) => e.message));
      if (!("nextToken" in page)) break;
      token = page.nextToken;
    }
    expect(seen).toEqual(make(9).map((e) => e.message));
  });

  it("refuses a malformed pattern and a stream list with a prefix", async () => {
    const reads = createLogReads(fakeStore(make(1)));
    await expect(
      reads.filterLogEvents("123456789012", { logGroupName: "g", filterPattern: "{ $.a = " }),
    ).rejects.toThrow(/Invalid filter pattern/);
    await expect(
      reads.filterLogEvents("123456789012", { logGroupName: "g", logStreamNames: ["s"], logStreamNamePrefix: "s" }),
    ).rejects.toThrow(/cannot both/);
  });
});
