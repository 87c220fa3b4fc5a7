import { describe, expect, it } from "vitest";
import { newSourceToken, presentedToken, tokenDigest, tokenMatches } from "./source-tokens.js";

describe("source tokens", () => {
  it("are fresh each time and match only their own digest", () => {
    const a = newSourceToken();
    const b = newSourceToken();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenMatches(a, tokenDigest(a))).toBe(true);
    expect(tokenMatches(b, tokenDigest(a))).toBe(false);
  });

  it.each([
    ["Bearer tok123", "tok123"],
    ["bearer   tok123", "tok123"],
    ["tok123", "tok123"],
    [`Basic ${Buffer.from("stratus:tok123").toString("base64")}`, "tok123"],
    [`Basic ${Buffer.from("tok123").toString("base64")}`, undefined],
    ["Digest abc", undefined],
    ["Bearer ", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("reads %j as %j", (header, token) => {
    expect(presentedToken(header)).toBe(token);
  });
});
