// A live tail's updates: at once after a quiet second, then at most one a second;
// filtered by stream and pattern; sampled to 500; empty updates as the heartbeat.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { notices, parseNotice } from "../store/log-notify.js";
import { parseFilterPattern } from "./filter-pattern.js";
import { createLiveTailHub } from "./live-tail-hub.js";
import { createSessionBuffer, type LiveTailUpdate } from "./live-tail-session.js";

const ev = (message: string, stream = "s1") => ({ stream, timestamp: 1, ingestionTime: 2, message });

describe("a live tail session's updates", () => {
  let sent: LiveTailUpdate[];
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
  });
  afterEach(() => vi.useRealTimers());

  const buffer = (pattern = "", streams?: string[]) =>
    createSessionBuffer(
      {
        groups: new Map([["g", "arn:aws:logs:r:123456789012:log-group:g"]]),
        match: parseFilterPattern(pattern),
        ...(streams ? { streams: new Set(streams) } : {}),
      },
      (u) => sent.push(u),
      { now: () => Date.now() },
    );

  it("sends a quiet session's first lines at once, then paces updates a second apart", () => {
    const b = buffer();
    b.offer("g", [ev("one")]);
    vi.advanceTimersByTime(0);
    expect(sent.map((u) => u.sessionResults.map((r) => r.message))).toEqual([["one"]]);
    expect(sent[0]?.sessionResults[0]).toEqual({
      logStreamName: "s1",
      logGroupIdentifier: "arn:aws:logs:r:123456789012:log-group:g",
      message: "one",
      timestamp: 1,
      ingestionTime: 2,
    });
    b.offer("g", [ev("two")]);
    vi.advanceTimersByTime(500);
    b.offer("g", [ev("three")]);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(500);
    expect(sent.map((u) => u.sessionResults.map((r) => r.message))).toEqual([["one"], ["two", "three"]]);
    b.close();
  });

  it("sends an empty update each quiet second, and nothing once closed", () => {
    const b = buffer();
    vi.advanceTimersByTime(3000);
    expect(sent).toEqual([1, 2, 3].map(() => ({ sessionMetadata: { sampled: false }, sessionResults: [] })));
    b.close();
    vi.advanceTimersByTime(3000);
    expect(sent).toHaveLength(3);
  });

  it("keeps only events of its streams that match its pattern, and of its groups", () => {
    const b = buffer("ERROR", ["s1"]);
    b.offer("g", [ev("ERROR a"), ev("INFO b"), ev("ERROR c", "s2")]);
    b.offer("other", [ev("ERROR d")]);
    vi.advanceTimersByTime(0);
    expect(sent.flatMap((u) => u.sessionResults.map((r) => r.message))).toEqual(["ERROR a"]);
    b.close();
  });

  it("samples 500 of more events in one update, and says so", () => {
    const b = buffer();
    b.offer(
      "g",
      Array.from({ length: 1200 }, (_, i) => ev(`line ${i}`)),
    );
    vi.advanceTimersByTime(0);
    expect(sent[0]?.sessionResults).toHaveLength(500);
    expect(sent[0]?.sessionMetadata.sampled).toBe(true);
    expect(new Set(sent[0]?.sessionResults.map((r) => r.message)).size).toBe(500);
    b.close();
  });
});

describe("the hub and the Postgres notices", () => {
  it("hands events only to the subscribers of their account and group", () => {
    const hub = createLiveTailHub();
    const got: string[] = [];
    const off = hub.subscribe("1", ["g"], (g, es) => got.push(...es.map((e) => `${g}:${e.message}`)));
    hub.publish("1", "g", [ev("a")]);
    hub.publish("2", "g", [ev("b")]);
    hub.publish("1", "h", [ev("c")]);
    expect(hub.watched("1", "g")).toBe(true);
    off();
    hub.publish("1", "g", [ev("d")]);
    expect(got).toEqual(["g:a"]);
    expect(hub.watched("1", "g")).toBe(false);
  });

  it("names fresh events by id ranges per group, and reads back what it wrote", () => {
    const rows = ["5", "6", "7", "9"].map((id) => ({ id, account_id: "1", group_name: "g" }));
    rows.push({ id: "8", account_id: "1", group_name: "h" });
    const out = notices(rows, "me").map(parseNotice);
    expect(out).toEqual([
      {
        origin: "me",
        accountId: "1",
        group: "g",
        ranges: [
          ["5", "7"],
          ["9", "9"],
        ],
      },
      { origin: "me", accountId: "1", group: "h", ranges: [["8", "8"]] },
    ]);
    expect(parseNotice('{"o":"x","a":"1","g":"g","r":[["1;DROP","2"]]}')).toBeUndefined();
    expect(parseNotice("not json")).toBeUndefined();
  });

  it("splits a notice that would pass NOTIFY's payload limit", () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ id: String(i * 2), account_id: "1", group_name: "g" }));
    const out = notices(rows, "me");
    expect(out.length).toBeGreaterThan(1);
    expect(out.every((p) => p.length < 8000)).toBe(true);
    expect(out.flatMap((p) => parseNotice(p)?.ranges ?? [])).toHaveLength(2000);
  });
});
