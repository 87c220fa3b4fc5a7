import { describe, expect, it } from "vitest";
import { scrapeTargets } from "./scrape-targets.js";

const node = (id: string, url: string) => ({ id, url, capacityMb: 1024, draining: false });

describe("scrapeTargets", () => {
  it("lists each control plane and each invoker as a group of its own, labelled by role and id", () => {
    expect(
      scrapeTargets(
        [
          { id: "cp-b", target: "10.0.0.2:9000" },
          { id: "cp-a", target: "10.0.0.1:9000" },
        ],
        [node("n1", "http://127.0.0.1:41234"), node("n0", "http://127.0.0.1:41000/")],
      ),
    ).toEqual([
      { targets: ["10.0.0.1:9000"], labels: { stratus_role: "control-plane", stratus_instance: "cp-a" } },
      { targets: ["10.0.0.2:9000"], labels: { stratus_role: "control-plane", stratus_instance: "cp-b" } },
      { targets: ["127.0.0.1:41000"], labels: { stratus_role: "invoker", stratus_instance: "n0" } },
      { targets: ["127.0.0.1:41234"], labels: { stratus_role: "invoker", stratus_instance: "n1" } },
    ]);
  });

  it("gives a node without a port in its URL its scheme's default port", () => {
    expect(scrapeTargets([], [node("n", "https://inv.example")])).toEqual([
      { targets: ["inv.example:443"], labels: { stratus_role: "invoker", stratus_instance: "n" } },
    ]);
  });

  it("is an empty list with nothing live", () => {
    expect(scrapeTargets([], [])).toEqual([]);
  });
});
