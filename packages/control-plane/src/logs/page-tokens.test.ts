// Page tokens read back what they wrote, and refuse anything else.
import { describe, expect, it } from "vitest";
import {
  afterTime,
  beforeTime,
  eventToken,
  MAX_ID,
  nameToken,
  parseEventToken,
  parseNameToken,
} from "./page-tokens.js";

const isName = (v: unknown): v is string => typeof v === "string";

describe("event tokens", () => {
  it.each([
    ["f", { ts: 1_700_000_000_123, id: 42n }],
    ["b", { ts: 0, id: 0n }],
    ["c", { ts: -1, id: MAX_ID }],
  ] as const)("%s token round trips", (kind, cursor) => {
    expect(parseEventToken(eventToken(kind, cursor))).toEqual({ kind, cursor });
  });

  it.each(["", "x/1/2", "f/1", "f/a/2", "f/1/2/3", "f/1/99999999999999999999", "f/1/9223372036854775808", " f/1/2"])(
    "%j is not a token",
    (token) => {
      expect(parseEventToken(token)).toBeUndefined();
    },
  );

  it("brackets a millisecond", () => {
    expect(beforeTime(100)).toEqual({ ts: 99, id: MAX_ID });
    expect(afterTime(100)).toEqual({ ts: 101, id: 0n });
  });
});

describe("name tokens", () => {
  it("round trips", () => {
    expect(parseNameToken(nameToken("/aws/lambda/f"), isName)).toBe("/aws/lambda/f");
  });

  it.each(["", "!!!", nameToken(42), "bm90IGpzb24", "a".repeat(3000)])("%j is refused", (token) => {
    expect(parseNameToken(token, isName)).toBeUndefined();
  });
});
