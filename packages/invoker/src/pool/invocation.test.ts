import { describe, expect, it } from "vitest";
import type { Life } from "../containers/lifecycle.js";
import { outcomeOf, runUsage } from "./invocation.js";

const failure = { errorType: "E", errorMessage: "m" };

describe("outcomeOf", () => {
  it.each<[string, string, Life | undefined, string | undefined]>([
    ["an answer", "success", undefined, undefined],
    ["an error the function answered", "function_error", undefined, "Unhandled"],
    ["the init limit", "init_error", { state: "dead", cause: "init-timeout", failure }, "Unhandled"],
    ["the function's timeout", "timeout", { state: "dead", cause: "timeout", failure }, "Unhandled"],
    [
      "the runtime's report of a failed init",
      "function_error",
      { state: "dead", cause: "failed", failure },
      "Unhandled",
    ],
    ["an OOM kill", "oom", { state: "dead", cause: "oom", failure }, "Unhandled"],
    ["an exit", "crash", { state: "dead", cause: "crash", failure }, "Unhandled"],
    ["an exit the engine has yet to tell of", "crash", { state: "exited", exitCode: 137 }, "Unhandled"],
    ["a removal", "function_error", { state: "removing" }, "Unhandled"],
  ])("%s is %s", (_name, outcome, death, functionError) => {
    expect(outcomeOf(death, functionError)).toBe(outcome);
  });
});

describe("runUsage", () => {
  it("bills a warm run its duration, rounded up to 1 ms", () => {
    expect(runUsage("success", 12.341, undefined, 128)).toEqual({
      outcome: "success",
      durationMs: 12.341,
      initMs: 0,
      billedMs: 13,
      memoryMb: 128,
      cold: false,
    });
  });

  it("bills a cold start its init on top", () => {
    expect(runUsage("timeout", 3000.2, 150.25, 512)).toMatchObject({ initMs: 150.25, billedMs: 3151, cold: true });
  });

  it("counts a cold start whose init was never timed as cold, with no init billed", () => {
    expect(runUsage("init_error", 10_000, 0, 256)).toMatchObject({ initMs: 0, billedMs: 10_000, cold: true });
  });
});
