import { describe, expect, it } from "vitest";
import {
  type AsyncEvent,
  type AsyncStatus,
  EVENTS,
  edgesOf,
  OPEN,
  STATUSES,
  sourcesOf,
  TERMINAL,
  targetOf,
  transition,
} from "./async-state.js";

/** Every edge the lifecycle allows, written out by hand: the machine must list exactly these. */
const ALLOWED: [AsyncStatus, AsyncEvent, AsyncStatus][] = [
  ["accepted", "start", "running"],
  ["retrying", "start", "running"],
  ["running", "take_over", "running"],
  ["running", "succeed", "succeeded"],
  ["running", "retry", "retrying"],
  ["running", "fail", "failed"],
  ["running", "dead_letter", "dead_lettered"],
  ["running", "expire", "expired"],
  ["running", "expire_lease", "retrying"],
  ["accepted", "requeue", "accepted"],
  ["retrying", "requeue", "retrying"],
  ["dead_lettered", "redrive", "accepted"],
  ["expired", "redrive", "accepted"],
];

const isAllowed = (from: AsyncStatus, event: AsyncEvent) => ALLOWED.some(([f, e]) => f === from && e === event);
const REFUSED: [AsyncStatus, AsyncEvent][] = STATUSES.flatMap((from) =>
  EVENTS.filter((event) => !isAllowed(from, event)).map((event): [AsyncStatus, AsyncEvent] => [from, event]),
);

describe("transition", () => {
  it.each(ALLOWED)("%s --%s--> %s", (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  it.each(REFUSED)("refuses %s --%s-->", (from, event) => {
    expect(() => transition(from, event)).toThrow(`${event} is not allowed from ${from}`);
  });

  it("covers every status and event, each pair once", () => {
    expect(ALLOWED.length + REFUSED.length).toBe(STATUSES.length * EVENTS.length);
  });
});

describe("what the store's conditional updates are made of", () => {
  it.each<[AsyncEvent, AsyncStatus[]]>([
    ["start", ["accepted", "retrying"]],
    ["take_over", ["running"]],
    ["succeed", ["running"]],
    ["expire_lease", ["running"]],
    ["requeue", ["accepted", "retrying"]],
    ["redrive", ["dead_lettered", "expired"]],
  ])("%s moves only from %j", (event, sources) => {
    expect(sourcesOf(event)).toEqual(sources);
  });

  it.each<[AsyncEvent, AsyncStatus]>([
    ["start", "running"],
    ["take_over", "running"],
    ["succeed", "succeeded"],
    ["retry", "retrying"],
    ["fail", "failed"],
    ["dead_letter", "dead_lettered"],
    ["expire", "expired"],
    ["expire_lease", "retrying"],
    ["redrive", "accepted"],
  ])("%s leads to %s", (event, to) => {
    expect(targetOf(event)).toBe(to);
  });

  it("has no one target for requeue, which keeps each status as it is", () => {
    expect(() => targetOf("requeue")).toThrow(/2 statuses/);
  });

  it("lists an event's edges, and no other", () => {
    expect(edgesOf(["start", "take_over"])).toEqual([
      { event: "start", from: "accepted", to: "running" },
      { event: "start", from: "retrying", to: "running" },
      { event: "take_over", from: "running", to: "running" },
    ]);
    expect(edgesOf(EVENTS)).toHaveLength(ALLOWED.length);
  });

  it("gives no status two ways to start: a row meets one edge of start and take_over", () => {
    const sources = [...sourcesOf("start"), ...sourcesOf("take_over")];
    expect(new Set(sources).size).toBe(sources.length);
  });
});

describe("end and open statuses", () => {
  it("ends in succeeded, failed, dead_lettered and expired; only a re-drive leaves an end", () => {
    expect(TERMINAL).toEqual(["succeeded", "failed", "dead_lettered", "expired"]);
    expect(OPEN).toEqual(["accepted", "running", "retrying"]);
  });
});
