import { describe, expect, it } from "vitest";
import {
  type ContainerState,
  chooseEvictions,
  chooseExpired,
  choosePlacement,
  chooseWarm,
  type PoolEntry,
  stemKey,
  stemsToCreate,
} from "./decisions.js";

const e = (id: string, key: string, state: ContainerState, memoryMb: number, lastUsed: number): PoolEntry => ({
  id,
  key,
  state,
  memoryMb,
  lastUsed,
});
/** `x`, pinned to provisioned set `set`. */
const pin = (x: PoolEntry, set = "p1"): PoolEntry => ({ ...x, pinned: set });

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
    [
      "evicts idle containers before stem cells",
      [e("s", "stem", "stem", 128, 0), e("a", "k", "idle", 128, 9)],
      128,
      256,
      ["a"],
    ],
    [
      "evicts stem cells when idle containers are not enough",
      [e("s", "stem", "stem", 128, 0), e("a", "k", "idle", 128, 9)],
      256,
      256,
      ["a", "s"],
    ],
    ["never evicts a starting stem cell", [e("s", "stem", "starting", 128, 0)], 256, 256, undefined],
    [
      "never evicts a pinned idle container, however long unused",
      [pin(e("p", "k", "idle", 256, 0)), e("a", "k", "idle", 256, 9)],
      512,
      768,
      ["a"],
    ],
    [
      "a pinned container's memory is not to be had: stem cells go, then no room",
      [pin(e("p", "k", "idle", 512, 0)), e("s", "stem", "stem", 128, 0)],
      640,
      1024,
      undefined,
    ],
    ["only pinned idle containers: no room", [pin(e("p", "k", "idle", 1024, 0))], 128, 1024, undefined],
  ])("%s", (_name, entries, needed, capacity, expected) => {
    expect(chooseEvictions(entries as PoolEntry[], needed, capacity)?.map((x) => x.id)).toEqual(expected);
  });
  it("keeps stem cells when making room for a stem cell", () => {
    const entries = [e("s", "stem", "stem", 128, 0), e("a", "k", "idle", 128, 9)];
    expect(chooseEvictions(entries, 256, 256, { stems: false })).toBeUndefined();
    expect(chooseEvictions(entries, 128, 256, { stems: false })?.map((x) => x.id)).toEqual(["a"]);
  });
});

describe("choosePlacement", () => {
  const S = stemKey("nodejs20.x", 512);
  it.each([
    ["nothing: scratch", [], "scratch", undefined],
    ["warm beats a stem cell", [e("s", S, "stem", 128, 1), e("w", "k", "idle", 128, 1)], "warm", "w"],
    ["a busy container is not warm: stem", [e("s", S, "stem", 128, 1), e("w", "k", "busy", 128, 1)], "stem", "s"],
    ["oldest stem cell first", [e("s1", S, "stem", 128, 5), e("s2", S, "stem", 128, 2)], "stem", "s2"],
    ["a starting stem cell is not ready: scratch", [e("s", S, "starting", 128, 1)], "scratch", undefined],
    [
      "another runtime's stem cell: scratch",
      [e("s", stemKey("nodejs22.x", 512), "stem", 128, 1)],
      "scratch",
      undefined,
    ],
    ["another /tmp size: scratch", [e("s", stemKey("nodejs20.x", 1024), "stem", 128, 1)], "scratch", undefined],
    ["a specialised container never serves another key", [e("x", "other", "idle", 128, 1)], "scratch", undefined],
    ["a pinned idle container serves its version as any warm one", [pin(e("p", "k", "idle", 128, 1))], "warm", "p"],
    ["a pinned busy container is not warm", [pin(e("p", "k", "busy", 128, 1))], "scratch", undefined],
  ])("%s", (_name, entries, kind, id) => {
    const p = choosePlacement(entries as PoolEntry[], "k", S);
    expect(p.kind).toBe(kind);
    expect(p.kind === "scratch" ? undefined : p.entry.id).toBe(id);
  });

  it.each([
    ["the oldest stem cell that fits", [e("s1", S, "stem", 128, 5), e("s2", S, "stem", 128, 2)], "stem", "s1"],
    ["no stem cell fits: scratch", [e("s2", S, "stem", 128, 2)], "scratch", undefined],
  ])("%s", (_name, entries, kind, id) => {
    const p = choosePlacement(entries as PoolEntry[], "k", S, (s) => s.id !== "s2");
    expect(p.kind).toBe(kind);
    expect(p.kind === "scratch" ? undefined : p.entry.id).toBe(id);
  });

  it.each([
    ["no stem cell may serve it: scratch though one is ready", [e("s", S, "stem", 128, 1)], "scratch", undefined],
    [
      "no stem cell may serve it: warm still first",
      [e("s", S, "stem", 128, 1), e("w", "k", "idle", 128, 1)],
      "warm",
      "w",
    ],
  ])("%s", (_name, entries, kind, id) => {
    const p = choosePlacement(entries as PoolEntry[], "k", undefined);
    expect(p.kind).toBe(kind);
    expect(p.kind === "scratch" ? undefined : p.entry.id).toBe(id);
  });
});

describe("stemsToCreate", () => {
  const S = "stem/nodejs20.x/512";
  it.each([
    ["empty node, target 1", [], 1, 1024, 1],
    ["target 0 disables", [], 0, 1024, 0],
    ["one ready already", [e("s", S, "stem", 128, 1)], 1, 1024, 0],
    ["one starting already", [e("s", S, "starting", 128, 1)], 2, 1024, 1],
    ["a removing one does not count", [e("s", S, "removing", 128, 1)], 1, 1024, 1],
    ["another runtime's does not count", [e("s", "stem/nodejs22.x/512", "stem", 128, 1)], 1, 1024, 1],
    ["never into busy containers' memory", [e("a", "k", "busy", 900, 1)], 3, 1024, 0],
    ["partly into free memory", [e("a", "k", "busy", 768, 1)], 3, 1024, 2],
    ["into idle containers' memory (evicted for it)", [e("a", "k", "idle", 1024, 1)], 2, 1024, 2],
    [
      "never into another runtime's stem cell",
      [e("s", "stem/nodejs22.x/512", "stem", 128, 1), e("a", "k", "busy", 896, 1)],
      1,
      1024,
      0,
    ],
    ["never into a pinned idle container's memory", [pin(e("a", "k", "idle", 1024, 1))], 2, 1024, 0],
    ["partly beside a pinned idle container", [pin(e("a", "k", "idle", 768, 1))], 3, 1024, 2],
  ])("%s", (_name, entries, target, capacity, expected) => {
    expect(stemsToCreate(entries as PoolEntry[], S, target, 128, capacity)).toBe(expected);
  });
});

describe("chooseExpired", () => {
  it("picks idle containers past the TTL only", () => {
    const entries = [e("a", "k", "idle", 128, 0), e("b", "k", "idle", 128, 900), e("c", "k", "busy", 128, 0)];
    expect(chooseExpired(entries, 1000, 500).map((x) => x.id)).toEqual(["a"]);
  });

  it.each([
    ["a pinned idle container past the TTL stays", [pin(e("p", "k", "idle", 128, 0))], []],
    ["an unpinned one beside it goes", [pin(e("p", "k", "idle", 128, 0)), e("a", "k", "idle", 128, 0)], ["a"]],
    ["a pinned one past its retireAt goes", [{ ...pin(e("p", "k", "idle", 128, 0)), retireAt: 900 }], ["p"]],
    ["a pinned one before its retireAt stays", [{ ...pin(e("p", "k", "idle", 128, 0)), retireAt: 2000 }], []],
  ])("%s", (_name, entries, expected) => {
    expect(chooseExpired(entries as PoolEntry[], 1000, 500).map((x) => x.id)).toEqual(expected);
  });
});

describe("retireAt", () => {
  const entry = (id: string, retireAt?: number) => ({
    id,
    key: "k",
    state: "idle" as const,
    memoryMb: 128,
    lastUsed: 1,
    ...(retireAt !== undefined ? { retireAt } : {}),
  });
  it("a container past its retireAt takes no invocation, and is reaped", () => {
    const list = [entry("old", 100), entry("new", 10_000)];
    expect(chooseWarm(list, "k", 100)?.id).toBe("new");
    expect(chooseWarm([entry("old", 100)], "k", 100)).toBeUndefined();
    expect(chooseExpired(list, 100, 60_000).map((e) => e.id)).toEqual(["old"]);
    expect(chooseExpired(list, 50, 60_000)).toEqual([]);
  });
});
