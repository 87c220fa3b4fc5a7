import { describe, expect, it } from "vitest";
import { createBatcher, eachAlone, splitOnFailure } from "./batcher.js";

/** A batcher of numbers that answers each with itself and keeps the batches it ran. */
function recording(lingerMs: number, urgent?: (i: number) => boolean) {
  const batches: number[][] = [];
  const add = createBatcher(
    async (items: number[]) => {
      batches.push(items);
      return items;
    },
    256,
    lingerMs,
    urgent,
  );
  return { batches, add };
}

describe("createBatcher", () => {
  it("sends the first item at once and groups those that arrive meanwhile", async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const add = createBatcher(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      return items.map((i) => i * 10);
    });
    const first = add(1);
    const rest = [add(2), add(3), add(4)];
    expect(batches).toEqual([[1]]);
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("with a linger, holds the first item for company that arrives within it", async () => {
    const { batches, add } = recording(30);
    const first = add(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([]);
    const second = add(2);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(batches).toEqual([[1, 2]]);
  });

  it("lets an urgent item go at once, and end a linger it arrives in", async () => {
    const { batches, add } = recording(10_000, (i) => i < 0);
    expect(await add(-1)).toBe(-1);
    expect(batches).toEqual([[-1]]);
    const lingering = add(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([[-1]]);
    expect(await Promise.all([lingering, add(-2)])).toEqual([1, -2]);
    expect(batches).toEqual([[-1], [1, -2]]);
  });

  it("caps a batch and rejects every caller of a failed batch only", async () => {
    const batches: number[][] = [];
    const add = createBatcher(async (items: number[]) => {
      batches.push(items);
      if (items.includes(3)) throw new Error("boom");
      return items;
    }, 2);
    const results = await Promise.allSettled([add(1), add(2), add(3), add(4), add(5)]);
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled", "fulfilled"]);
  });

  it("rejects only the caller of an item that failed alone", async () => {
    const add = createBatcher((items: number[]) =>
      eachAlone(items, async (i) => {
        if (i === 2) throw new Error("refused");
        return i * 10;
      }),
    );
    const results = await Promise.allSettled([add(1), add(2), add(3)]);
    expect(results).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "rejected", reason: new Error("refused") },
      { status: "fulfilled", value: 30 },
    ]);
  });

  it.each([
    ["split", true, ["rejected", "fulfilled", "fulfilled"]],
    ["not split", false, ["rejected", "rejected", "rejected"]],
  ])("runs a failed batch item by item when its error may be one item's (%s)", async (_label, split, statuses) => {
    // The first call takes item 1 alone; items 2, 3 and 4 meet in the next batch.
    const refuse2 = async (items: number[]) => {
      if (items.includes(2)) throw new Error("refused");
      return items.map((i) => i * 10);
    };
    const add = createBatcher(splitOnFailure(refuse2, () => split));
    const results = await Promise.allSettled([add(1), add(2), add(3), add(4)]);
    expect(results.slice(1).map((r) => r.status)).toEqual(statuses);
    expect(results[0]).toEqual({ status: "fulfilled", value: 10 });
  });

  it("rejects all when the answer has the wrong length", async () => {
    const add = createBatcher(async (items: number[]) => items.slice(1));
    await expect(add(1)).rejects.toThrow(/answered 0 of 1/);
  });
});
