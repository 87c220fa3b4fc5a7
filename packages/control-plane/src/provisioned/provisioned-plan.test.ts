import type { InvokeSpec } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { ProvisionedConfig } from "../store/provisioned-store.js";
import { allocationOf, FAILED_AFTER, planSets, splitByWeight, type Want } from "./provisioned-plan.js";

const spec = (version: string, memoryMb = 128) =>
  ({ accountId: "a", functionName: "f", version, memoryMb }) as InvokeSpec;
const want = (config: string, version: string, count: number, memoryMb = 128): Want => ({
  config,
  setId: `${config}/${version}`,
  spec: spec(version, memoryMb),
  count,
});
const nodes = [
  { id: "n1", capacityMb: 512 },
  { id: "n2", capacityMb: 512 },
];
const byRank = () => nodes;

describe("splitByWeight", () => {
  it.each([
    [10, undefined, [{ version: "1", count: 10 }]],
    [
      10,
      { version: "2", weight: 0.3 },
      [
        { version: "1", count: 7 },
        { version: "2", count: 3 },
      ],
    ],
    [2, { version: "2", weight: 0.2 }, [{ version: "1", count: 2 }]],
    [1, { version: "2", weight: 1 }, [{ version: "2", count: 1 }]],
  ])("%i with %j", (count, additional, parts) => {
    expect(splitByWeight(count, "1", additional)).toEqual(parts);
  });
});

describe("planSets", () => {
  it("fills the first-ranked node before the next, and leaves unplaced what fits nowhere", () => {
    const plan = planSets([want("c1", "1", 6), want("c2", "3", 4)], nodes, byRank);
    expect(plan.byNode.get("n1")?.map((s) => [s.id, s.count])).toEqual([["c1/1", 4]]);
    expect(plan.byNode.get("n2")?.map((s) => [s.id, s.count])).toEqual([
      ["c1/1", 2],
      ["c2/3", 2],
    ]);
    expect(plan.unplaced).toEqual(new Map([["c2", 2]]));
    expect(plan.setsOf.get("c1")).toEqual(["c1/1"]);
  });

  it("follows each version's own ranking", () => {
    const plan = planSets([want("c1", "1", 1)], nodes, () => [nodes[1] as (typeof nodes)[number]]);
    expect(plan.byNode.get("n1")).toEqual([]);
    expect(plan.byNode.get("n2")?.[0]?.count).toBe(1);
  });

  it("every node gets a state, an empty one when it keeps nothing", () => {
    expect(planSets([], nodes, byRank).byNode).toEqual(
      new Map([
        ["n1", []],
        ["n2", []],
      ]),
    );
  });
});

describe("allocationOf", () => {
  const config = { requested: 3, allocated: 0, status: "IN_PROGRESS" } as ProvisionedConfig;
  const report = (ready: number, failures = 0, lastError?: string) => ({ id: "s", ready, failures, lastError });
  it.each([
    ["ready across nodes", [report(2), report(1)], 0, undefined, { allocated: 3, status: "READY" }],
    ["more ready than asked (a count just lowered)", [report(5)], 0, undefined, { allocated: 3, status: "READY" }],
    ["on the way", [report(1)], 0, undefined, { allocated: 1, status: "IN_PROGRESS" }],
    [
      "init failing",
      [report(1, FAILED_AFTER, "Runtime.ExitError")],
      0,
      undefined,
      { allocated: 1, status: "FAILED", statusReason: "Runtime.ExitError" },
    ],
    [
      "a failure or two is retried",
      [report(0, FAILED_AFTER - 1, "x")],
      0,
      undefined,
      { allocated: 0, status: "IN_PROGRESS" },
    ],
    [
      "no room",
      [report(1)],
      2,
      undefined,
      {
        allocated: 1,
        status: "FAILED",
        statusReason: "The invoker nodes have no room for 2 of the 3 execution environments",
      },
    ],
    [
      "a problem with the version",
      [],
      0,
      "Version 3 is Pending",
      { allocated: 0, status: "FAILED", statusReason: "Version 3 is Pending" },
    ],
  ])("%s", (_name, reports, unplaced, problem, expected) => {
    expect(allocationOf(config, reports, unplaced, problem)).toEqual(expected);
  });
});
