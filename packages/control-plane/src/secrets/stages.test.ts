import { describe, expect, it } from "vitest";
import { MAX_VERSIONS, type StagedVersion, stageNewVersion } from "./stages.js";

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
