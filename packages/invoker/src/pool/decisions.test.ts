import { describe, expect, it } from "vitest";
import {
  type ContainerState,
  chooseEvictions,
  chooseExpired,
  chooseWarm,
  nextState,
  type PoolEntry,
} from "./decisions.js";

const e = (id: string, key: string, state: ContainerState, memoryMb: number, lastUsed: number): PoolEntry => ({
  id,
  key,
  state,
  memoryMb,
  lastUsed,
});

describe("chooseWarm", () => {
  it.each([
    ["no containers", [], undefined],
    ["only busy", [e("a", "k", "busy", 128, 1)], undefined],
    ["other key", [e("a", "x", "idle", 128, 1)], undefined],
    ["one idle", [e("a", "k", "idle", 128, 1)], "a"],
    ["most recent idle", [e("a", "k", "idle", 128, 1), e("b", "k", "idle", 128, 5), e("c", "k", "busy", 128, 9)], "b"],
    ["starting is not idle", [e("a", "k", "starting", 128, 1)], undefined],
  ])("%s", (_name, entries, expected) => {
    expect(chooseWarm(entries as PoolEntry[], "k")?.id).toBe(expected);
  });
});

describe("chooseEvictions", () => {
  it.each([
    ["fits without eviction", [e("a", "k", "busy", 256, 1)], 256, 1024, []],
    [
      "evicts least recently used idle first",
      [e("a", "k", "idle", 256, 5), e("b", "k", "idle", 256, 1)],
      768,
      1024,
      ["b"],
    ],
    [
      "evicts several",
      [e("a", "k", "idle", 256, 5), e("b", "k", "idle", 256, 1), e("c", "k", "idle", 256, 3)],
      768,
      768,
      ["b", "c", "a"],
    ],
    ["never evicts busy", [e("a", "k", "busy", 512, 1), e("b", "k", "idle", 256, 1)], 1024, 1024, undefined],
    ["removing frees its memory", [e("a", "k", "removing", 1024, 1)], 512, 1024, []],
  ])("%s", (_name, entries, needed, capacity, expected) => {
    expect(chooseEvictions(entries as PoolEntry[], needed, capacity)?.map((x) => x.id)).toEqual(expected);
  });
});

describe("chooseExpired", () => {
  it("picks idle containers past the TTL only", () => {
    const entries = [e("a", "k", "idle", 128, 0), e("b", "k", "idle", 128, 900), e("c", "k", "busy", 128, 0)];
    expect(chooseExpired(entries, 1000, 500).map((x) => x.id)).toEqual(["a"]);
  });
});

describe("nextState", () => {
  it.each([
    ["starting", "busy"],
    ["idle", "busy"],
    ["busy", "idle"],
    ["busy", "removing"],
    ["idle", "removing"],
  ] as [ContainerState, ContainerState][])("allows %s -> %s", (from, to) => {
    expect(nextState(from, to)).toBe(to);
  });
  it.each([
    ["starting", "idle"],
    ["idle", "idle"],
    ["removing", "idle"],
    ["removing", "busy"],
  ] as [ContainerState, ContainerState][])("refuses %s -> %s", (from, to) => {
    expect(() => nextState(from, to)).toThrow();
  });
});
