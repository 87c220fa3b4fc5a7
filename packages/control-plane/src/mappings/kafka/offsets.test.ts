import { describe, expect, it } from "vitest";
import { commitPoint, emptyLedger, settled, taken } from "./offsets.js";

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
