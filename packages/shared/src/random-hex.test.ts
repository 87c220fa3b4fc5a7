import { describe, expect, it } from "vitest";
import { randomHex } from "./random-hex.js";

describe("randomHex", () => {
  it("gives lowercase hex of the length asked, never the same twice across pool refills", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const h = randomHex(16);
      expect(h).toMatch(/^[0-9a-f]{32}$/);
      seen.add(h);
    }
    expect(seen.size).toBe(5_000);
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("refuses draws over 64 bytes", () => {
    expect(() => randomHex(65)).toThrow(RangeError);
  });
});
