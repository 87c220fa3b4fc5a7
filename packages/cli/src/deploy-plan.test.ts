import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { DEFAULT_ROLE, type FunctionConfig } from "./config-file.js";
import { configUpdate } from "./deploy-plan.js";

const config: FunctionConfig = {
  name: "f",
  runtime: "nodejs24.x",
  handler: "index.handler",
  memory: 128,
  timeout: 3,
  role: DEFAULT_ROLE,
};
const current: FunctionConfiguration = {
  FunctionName: "f",
  Runtime: "nodejs24.x",
  Handler: "index.handler",
  MemorySize: 128,
  Timeout: 3,
  Role: DEFAULT_ROLE,
  Description: "",
};

describe("configUpdate", () => {
  it.each<[string, Partial<FunctionConfig>, Partial<FunctionConfiguration>, object | undefined]>([
    ["nothing changed", {}, {}, undefined],
    [
      "no description and no environment on either side",
      {},
      { Description: undefined, Environment: undefined },
      undefined,
    ],
    ["memory", { memory: 256 }, {}, { MemorySize: 256 }],
    ["handler and timeout", { handler: "app.main", timeout: 30 }, {}, { Handler: "app.main", Timeout: 30 }],
    ["a variable added", { environment: { A: "1" } }, {}, { Environment: { Variables: { A: "1" } } }],
    [
      "the same variables",
      { environment: { A: "1", B: "2" } },
      { Environment: { Variables: { B: "2", A: "1" } } },
      undefined,
    ],
    ["every variable removed", {}, { Environment: { Variables: { A: "1" } } }, { Environment: { Variables: {} } }],
    ["a description", { description: "d" }, {}, { Description: "d" }],
  ])("%s", (_what, own, theirs, update) => {
    expect(configUpdate({ ...current, ...theirs }, { ...config, ...own })).toEqual(update);
  });
});
