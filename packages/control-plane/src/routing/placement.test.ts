import { describe, expect, it } from "vitest";
import { createRankingCache, rankNodes } from "./placement.js";

const nodes = (...ids: string[]) => ids.map((id) => ({ id, draining: false }));

describe("rankNodes", () => {
  it("gives the same order for the same key", () => {
    const a = rankNodes(nodes("n1", "n2", "n3"), "acct/fn/$LATEST");
    const b = rankNodes(nodes("n3", "n1", "n2"), "acct/fn/$LATEST");
    expect(a.map((n) => n.id)).toEqual(b.map((n) => n.id));
  });

  it("excludes draining nodes", () => {
    const ranked = rankNodes([...nodes("n1", "n2"), { id: "n3", draining: true }], "k");
    expect(ranked.map((n) => n.id).sort()).toEqual(["n1", "n2"]);
  });

  it("returns nothing when there are no nodes", () => {
    expect(rankNodes([], "k")).toEqual([]);
  });

  it("moves only the removed node's keys when a node leaves", () => {
    const keys = Array.from({ length: 200 }, (_, i) => `acct/fn-${i}/1`);
    const before = new Map(keys.map((k) => [k, rankNodes(nodes("a", "b", "c"), k)[0]?.id]));
    const moved = keys.filter((k) => {
      const home = rankNodes(nodes("a", "b"), k)[0]?.id;
      return before.get(k) !== "c" && before.get(k) !== home;
    });
    expect(moved).toEqual([]);
  });

  it("spreads keys over every node", () => {
    const homes = new Set(Array.from({ length: 100 }, (_, i) => rankNodes(nodes("a", "b", "c"), `k${i}`)[0]?.id));
    expect(homes).toEqual(new Set(["a", "b", "c"]));
  });
});

describe("createRankingCache", () => {
  it("ranks as rankNodes does, once per node list and key", () => {
    const rank = createRankingCache<{ id: string; draining: boolean }>();
    const list = nodes("a", "b", "c");
    const first = rank(list, "acct/fn/1");
    expect(first.map((n) => n.id)).toEqual(rankNodes(list, "acct/fn/1").map((n) => n.id));
    expect(rank(list, "acct/fn/1")).toBe(first);
    expect(rank(list, "acct/fn/2")).not.toBe(first);
  });

  it("ranks a new node list afresh", () => {
    const rank = createRankingCache<{ id: string; draining: boolean }>();
    const before = rank(nodes("a", "b", "c"), "k");
    const after = rank([...nodes("a"), { id: "b", draining: true }, { id: "c", draining: true }], "k");
    expect(before).toHaveLength(3);
    expect(after.map((n) => n.id)).toEqual(["a"]);
  });

  it("forgets its rankings when it holds too many keys", () => {
    const rank = createRankingCache<{ id: string; draining: boolean }>(2);
    const list = nodes("a", "b");
    const k1 = rank(list, "k1");
    rank(list, "k2");
    rank(list, "k3");
    expect(rank(list, "k1")).not.toBe(k1);
    expect(rank(list, "k1").map((n) => n.id)).toEqual(k1.map((n) => n.id));
  });
});
