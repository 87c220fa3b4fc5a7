import { describe, expect, it } from "vitest";
import { isVersionQualifier, pickVersion } from "./alias-routing.js";

describe("pickVersion", () => {
  const alias = { functionVersion: "1", additional: { version: "2", weight: 0.3 } };
  it.each([
    [0, "2"],
    [0.29, "2"],
    [0.3, "1"],
    [0.99, "1"],
  ])("random %s picks version %s", (random, expected) => {
    expect(pickVersion(alias, random)).toBe(expected);
  });

  it("always picks the main version without routing config", () => {
    expect(pickVersion({ functionVersion: "4" }, 0)).toBe("4");
  });

  it("splits traffic by weight over many draws", () => {
    let seen2 = 0;
    for (let i = 0; i < 1000; i++) if (pickVersion(alias, i / 1000) === "2") seen2++;
    expect(seen2).toBe(300);
  });
});

describe("isVersionQualifier", () => {
  it.each([
    ["$LATEST", true],
    ["1", true],
    ["42", true],
    ["live", false],
    ["v1", false],
  ])("%s -> %s", (q, expected) => {
    expect(isVersionQualifier(q)).toBe(expected);
  });
});
