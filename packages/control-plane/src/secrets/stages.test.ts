import { describe, expect, it } from "vitest";
import { MAX_VERSIONS, moveStage, type StagedVersion, stageNewVersion } from "./stages.js";

const v = (versionId: string, ...stages: string[]): StagedVersion => ({ versionId, stages });

describe("stageNewVersion", () => {
  it.each<[string, StagedVersion[], string[] | undefined, StagedVersion[]]>([
    ["the first version is AWSCURRENT", [], undefined, [v("n", "AWSCURRENT")]],
    ["a first version given another label is AWSCURRENT too", [], ["BETA"], [v("n", "BETA", "AWSCURRENT")]],
    [
      "AWSCURRENT moves, the old current becomes AWSPREVIOUS",
      [v("a", "AWSCURRENT")],
      undefined,
      [v("a", "AWSPREVIOUS"), v("n", "AWSCURRENT")],
    ],
    [
      "AWSPREVIOUS follows: the older previous loses it",
      [v("a", "AWSPREVIOUS"), v("b", "AWSCURRENT")],
      ["AWSCURRENT"],
      [v("a"), v("b", "AWSPREVIOUS"), v("n", "AWSCURRENT")],
    ],
    [
      "a custom label moves without touching AWSCURRENT",
      [v("a", "AWSCURRENT", "BETA")],
      ["BETA"],
      [v("a", "AWSCURRENT"), v("n", "BETA")],
    ],
    [
      "AWSPENDING beside a current version leaves labels alone",
      [v("a", "AWSPREVIOUS"), v("b", "AWSCURRENT")],
      ["AWSPENDING"],
      [v("a", "AWSPREVIOUS"), v("b", "AWSCURRENT"), v("n", "AWSPENDING")],
    ],
    [
      "AWSCURRENT and a custom label together: both move, previous follows",
      [v("a", "AWSCURRENT"), v("b", "BETA")],
      ["AWSCURRENT", "BETA"],
      [v("a", "AWSPREVIOUS"), v("b"), v("n", "AWSCURRENT", "BETA")],
    ],
    [
      "given AWSPREVIOUS too, the new version keeps it and the old current takes nothing",
      [v("a", "AWSCURRENT")],
      ["AWSCURRENT", "AWSPREVIOUS"],
      [v("a"), v("n", "AWSCURRENT", "AWSPREVIOUS")],
    ],
    ["an empty label list means AWSCURRENT", [v("a", "AWSCURRENT")], [], [v("a", "AWSPREVIOUS"), v("n", "AWSCURRENT")]],
  ])("%s", (_name, before, labels, after) => {
    const plan = stageNewVersion(before, "n", labels);
    expect(plan.versions).toEqual(after);
    expect(plan.dropped).toEqual([]);
  });

  it("refuses a version id that exists", () => {
    expect(() => stageNewVersion([v("a", "AWSCURRENT")], "a")).toThrow(/exists/);
  });

  it("drops the oldest unlabelled versions past the limit, never a labelled one", () => {
    const old = Array.from({ length: MAX_VERSIONS - 1 }, (_, i) => v(`u${i}`));
    const before = [
      v("keep", "BETA"),
      ...old.slice(0, 1),
      v("prev", "AWSPREVIOUS"),
      ...old.slice(1),
      v("cur", "AWSCURRENT"),
    ];
    const plan = stageNewVersion(before, "n");
    expect(plan.versions).toHaveLength(MAX_VERSIONS);
    expect(plan.dropped).toEqual(["u0", "prev", "u1"]);
    expect(plan.versions.map((x) => x.versionId)).toContain("keep");
  });
});

describe("moveStage", () => {
  const versions = [v("a", "AWSPREVIOUS"), v("b", "AWSCURRENT", "BETA"), v("c")];
  it.each<[string, Parameters<typeof moveStage>[1], StagedVersion[]]>([
    [
      "AWSCURRENT moves; the version it leaves takes AWSPREVIOUS from the one that had it",
      { stage: "AWSCURRENT", moveTo: "c", removeFrom: "b" },
      [v("a"), v("b", "BETA", "AWSPREVIOUS"), v("c", "AWSCURRENT")],
    ],
    [
      "AWSPREVIOUS is taken off (what Terraform asks before deleting a version)",
      { stage: "AWSPREVIOUS", removeFrom: "a" },
      [v("a"), v("b", "AWSCURRENT", "BETA"), v("c")],
    ],
    [
      "a label no version holds is attached",
      { stage: "GAMMA", moveTo: "a" },
      [v("a", "AWSPREVIOUS", "GAMMA"), v("b", "AWSCURRENT", "BETA"), v("c")],
    ],
    [
      "a custom label moves",
      { stage: "BETA", moveTo: "c", removeFrom: "b" },
      [v("a", "AWSPREVIOUS"), v("b", "AWSCURRENT"), v("c", "BETA")],
    ],
    [
      "moving a label to where it is changes nothing",
      { stage: "AWSCURRENT", moveTo: "b", removeFrom: "b" },
      [v("a", "AWSPREVIOUS"), v("b", "AWSCURRENT", "BETA"), v("c")],
    ],
  ])("%s", (_what, move, expected) => {
    expect(moveStage(versions, move)).toEqual(expected);
  });

  it.each<[Parameters<typeof moveStage>[1], RegExp]>([
    [{ stage: "AWSCURRENT" }, /Either MoveToVersionId or RemoveFromVersionId/],
    [{ stage: "BETA", moveTo: "c" }, /currently attached to version b/],
    [{ stage: "BETA", removeFrom: "a" }, /not attached to version a/],
    [{ stage: "AWSCURRENT", removeFrom: "b" }, /can't remove AWSCURRENT/],
    [{ stage: "BETA", moveTo: "zz", removeFrom: "b" }, /Version zz not found/],
  ])("refuses %o", (move, message) => {
    expect(moveStage(versions, move)).toMatch(message);
  });
});
