import { describe, expect, it } from "vitest";
import type { MappingState } from "../store/mapping-types.js";
import { MAPPING_EVENTS, MAPPING_STATES, type MappingEvent, transition } from "./mapping-state.js";

const legal: Array<[MappingState, MappingEvent, MappingState]> = [
  ["Creating", "started", "Enabled"],
  ["Creating", "stopped", "Disabled"],
  ["Creating", "delete", "Deleting"],
  ["Enabling", "started", "Enabled"],
  ["Enabling", "stopped", "Disabled"],
  ["Enabling", "disable", "Disabling"],
  ["Enabling", "delete", "Deleting"],
  ["Enabled", "disable", "Disabling"],
  ["Enabled", "update", "Updating"],
  ["Enabled", "delete", "Deleting"],
  ["Enabled", "started", "Enabled"],
  ["Disabling", "stopped", "Disabled"],
  ["Disabling", "enable", "Enabling"],
  ["Disabling", "delete", "Deleting"],
  ["Disabled", "enable", "Enabling"],
  ["Disabled", "update", "Updating"],
  ["Disabled", "delete", "Deleting"],
  ["Disabled", "stopped", "Disabled"],
  ["Updating", "started", "Enabled"],
  ["Updating", "stopped", "Disabled"],
  ["Updating", "delete", "Deleting"],
];

describe("mapping state table", () => {
  it.each(legal)("%s --%s--> %s", (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  const illegal = MAPPING_STATES.flatMap((s) =>
    MAPPING_EVENTS.filter((e) => !legal.some(([f, ev]) => f === s && ev === e)).map((e) => [s, e] as const),
  );
  it.each(illegal)("refuses %s --%s-->", (from, event) => {
    expect(() => transition(from, event)).toThrow(expect.objectContaining({ code: "ResourceInUseException" }));
  });

  it("Deleting is final", () => {
    for (const e of MAPPING_EVENTS) expect(() => transition("Deleting", e)).toThrow();
  });
});
