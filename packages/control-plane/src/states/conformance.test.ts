// The conformance table: every row runs through definition validation and the engine
// (with the in-memory driver, fake functions and a fake clock), and must end as Step
// Functions ends it. Every decision the driver took is then re-decided from its
// history prefix, with Date.now and Math.random made to throw: the engine must decide
// the same events and effects from the history and `now` alone.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ConformanceCase } from "./conformance/case.js";
import { errorCases } from "./conformance/cases-errors.js";
import { intrinsicCases } from "./conformance/cases-intrinsics.js";
import { jsonataCases } from "./conformance/cases-jsonata.js";
import { pathCases } from "./conformance/cases-paths.js";
import { stateCases } from "./conformance/cases-states.js";
import { decide } from "./engine.js";
import { MemoryDriver } from "./memory-driver.js";
import { validateDefinition } from "./validate.js";

const info = {
  executionArn: "arn:aws:states:us-east-1:123456789012:execution:machine:run-1",
  name: "run-1",
  stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:machine",
  stateMachineName: "machine",
  roleArn: "arn:aws:iam::123456789012:role/states",
};

const all: ConformanceCase[] = [...pathCases, ...stateCases, ...errorCases, ...intrinsicCases, ...jsonataCases];

afterEach(() => vi.restoreAllMocks());

describe("conformance", () => {
  it("has at least 60 cases, each citing its source", () => {
    expect(all.length).toBeGreaterThanOrEqual(60);
    for (const c of all) expect(c.source, c.name).toMatch(/states-language\.net|docs\.aws\.amazon\.com/);
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
  });

  it.each(all.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const definition = validateDefinition(JSON.stringify(c.definition));
    const driver = new MemoryDriver(definition, info, { functions: c.functions ?? {}, machines: c.machines ?? {} });
    const result = await driver.run(c.input);
    if ("output" in c.expect) {
      expect({ status: result.status, error: result.error, cause: result.cause }).toEqual({
        status: "SUCCEEDED",
        error: undefined,
        cause: undefined,
      });
      expect(result.output).toEqual(c.expect.output);
    } else if ("check" in c.expect) {
      expect(result.status).toBe("SUCCEEDED");
      expect(c.expect.check(result.output ?? null), JSON.stringify(result.output)).toBe(true);
    } else {
      expect({ status: result.status, error: result.error }).toEqual({
        status: c.expect.status ?? "FAILED",
        error: c.expect.error,
      });
      if (c.expect.cause !== undefined) expect(result.cause).toMatch(c.expect.cause);
    }
    if (c.invocations !== undefined) expect(result.invocations.length).toBe(c.invocations);

    // Replaying any prefix decides the same thing, with no clock or randomness of its own.
    vi.spyOn(Date, "now").mockImplementation(() => {
      throw new Error("decide read the clock");
    });
    vi.spyOn(Math, "random").mockImplementation(() => {
      throw new Error("decide drew an unseeded random number");
    });
    for (const taken of driver.decisions) {
      const again = await decide(definition, result.history.slice(0, taken.length), taken.now, info);
      expect(again).toEqual(taken.decision);
    }
  });
});
