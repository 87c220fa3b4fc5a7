import { describe, expect, it } from "vitest";
import { parseRetirement, type RetirableOwner, type Retirement, retires } from "./retirements.js";

const owner = (version: string, revisionId = "r1", functionName = "f", accountId = "111111111111"): RetirableOwner => ({
  accountId,
  functionName,
  version,
  revisionId,
});
const fn = { accountId: "111111111111", functionName: "f" };

describe("retires", () => {
  it.each<[string, Retirement, RetirableOwner, boolean]>([
    ["a deleted function: every version", fn, owner("$LATEST"), true],
    ["a deleted function: a published version", fn, owner("3"), true],
    ["another function of the account", fn, owner("$LATEST", "r1", "g"), false],
    ["the same name in another account", fn, owner("$LATEST", "r1", "f", "222222222222"), false],
    ["a deleted version: that version", { ...fn, version: "3" }, owner("3"), true],
    ["a deleted version: not another", { ...fn, version: "3" }, owner("4"), false],
    ["a deleted version: not $LATEST", { ...fn, version: "3" }, owner("$LATEST"), false],
    ["an old $LATEST revision", { ...fn, version: "$LATEST", keepRevisionId: "r2" }, owner("$LATEST", "r1"), true],
    [
      "the current $LATEST revision",
      { ...fn, version: "$LATEST", keepRevisionId: "r2" },
      owner("$LATEST", "r2"),
      false,
    ],
    [
      "a published version when $LATEST changed",
      { ...fn, version: "$LATEST", keepRevisionId: "r2" },
      owner("1"),
      false,
    ],
  ])("%s", (_what, r, o, expected) => {
    expect(retires(r, o)).toBe(expected);
  });
});

describe("parseRetirement", () => {
  it("reads a notice as the control plane publishes it", () => {
    const r: Retirement = { ...fn, version: "$LATEST", keepRevisionId: "r2" };
    expect(parseRetirement(JSON.stringify(r))).toEqual(r);
  });

  it.each(["not json", "null", '{"functionName":"f"}', '{"accountId":"1","functionName":"f"}'])(
    "refuses %s",
    (message) => {
      expect(parseRetirement(message)).toBeUndefined();
    },
  );
});
