import { describe, expect, it } from "vitest";
import { pickEncoding } from "./static-files.js";

describe("content encoding", () => {
  it.each([
    ["gzip, deflate, br, zstd", "br"],
    ["gzip", "gzip"],
    ["br;q=0, gzip;q=0.5", "gzip"],
    ["identity", undefined],
    [undefined, undefined],
  ])("%s → %s", (accept, want) => {
    expect(pickEncoding(accept)).toBe(want);
  });
});
