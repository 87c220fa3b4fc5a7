import { describe, expect, it } from "vitest";
import { commitPoint, emptyLedger, settled, taken, timestampSeeks } from "./offsets.js";

const ledgerOf = (...offsets: number[]) => offsets.reduce((l, o) => taken(l, BigInt(o)), emptyLedger());

describe("a partition's commit point", () => {
  it("is none before anything is taken", () => {
    expect(commitPoint(emptyLedger())).toBeUndefined();
  });
  it("stays at the first record taken while it is open", () => {
    expect(commitPoint(ledgerOf(5, 6, 7))).toBe(5n);
  });
  it("never passes an open record when later ones settle first", () => {
    expect(commitPoint(settled(ledgerOf(5, 6, 7), new Set([6n, 7n])))).toBe(5n);
  });
  it("moves past everything once all is settled", () => {
    expect(commitPoint(settled(ledgerOf(5, 6, 7), new Set([5n, 6n, 7n])))).toBe(8n);
  });
  it("moves to the next open record", () => {
    expect(commitPoint(settled(ledgerOf(5, 6, 7), new Set([5n])))).toBe(6n);
  });
});

describe("AT_TIMESTAMP's starting seeks", () => {
  const at = [
    { partition: 0, offset: "7" },
    { partition: 1, offset: "3" },
    { partition: 2, offset: "0" },
  ];
  it.each([
    { assigned: [0, 1, 2], committed: [], seeks: at },
    {
      assigned: [0, 1, 2],
      committed: [
        { partition: 0, offset: "9" },
        { partition: 1, offset: "-1" },
      ],
      seeks: [at[1], at[2]],
    },
    { assigned: [1], committed: [{ partition: 0, offset: "-1" }], seeks: [at[1]] },
    { assigned: [0, 5], committed: [{ partition: 0, offset: "0" }], seeks: [] },
  ])(
    "seeks only the given partitions with no committed offset: $assigned $committed",
    ({ assigned, committed, seeks }) => {
      expect(timestampSeeks(assigned, committed, at)).toEqual(seeks);
    },
  );
});
