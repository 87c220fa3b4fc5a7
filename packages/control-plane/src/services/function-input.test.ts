import type { StratusError, ZipEntryInfo } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { CreateFunctionSchema, checkHandlerCode, parseInput } from "./function-input.js";
import { UpdateConfigurationSchema } from "./update-input.js";

const file = (name: string, mode = 0o644): ZipEntryInfo => ({ name, size: 1, mode, isDirectory: false });

const refusal = (f: () => void) => {
  try {
    f();
  } catch (err) {
    return (err as StratusError).code;
  }
  return undefined;
};

describe("checkHandlerCode with layers", () => {
  it.each<[string, string, ZipEntryInfo[], boolean, string | undefined]>([
    ["a custom runtime's own bootstrap", "provided.al2023", [file("bootstrap", 0o755)], false, undefined],
    ["no bootstrap, no layers", "provided.al2023", [file("main.sh")], false, "InvalidParameterValueException"],
    ["no bootstrap, but layers that may bring /opt/bootstrap", "provided.al2023", [file("main.sh")], true, undefined],
    [
      "a bootstrap that is not executable, with layers",
      "provided.al2023",
      [file("bootstrap")],
      true,
      "InvalidParameterValueException",
    ],
    [
      "a Node handler's file missing, with layers",
      "nodejs22.x",
      [file("other.js")],
      true,
      "InvalidParameterValueException",
    ],
    [
      "a Python handler's file missing, with layers",
      "python3.11",
      [file("other.py")],
      true,
      "InvalidParameterValueException",
    ],
  ])("%s", (_what, runtime, entries, hasLayers, expected) => {
    const handler = runtime.startsWith("provided")
      ? "x"
      : runtime.startsWith("python")
        ? "app.handler"
        : "index.handler";
    expect(refusal(() => checkHandlerCode(runtime, handler, entries, hasLayers))).toBe(expected);
  });
});

describe("TracingConfig", () => {
  const create = {
    FunctionName: "f",
    Runtime: "nodejs20.x",
    Role: "arn:aws:iam::000000000000:role/r",
    Handler: "index.handler",
    Code: { ZipFile: "" },
  };
  it("defaults to PassThrough and takes Active", () => {
    expect(parseInput(CreateFunctionSchema, create).TracingConfig).toEqual({ Mode: "PassThrough" });
    expect(parseInput(CreateFunctionSchema, { ...create, TracingConfig: { Mode: "Active" } }).TracingConfig).toEqual({
      Mode: "Active",
    });
    expect(parseInput(UpdateConfigurationSchema, {}).TracingConfig).toBeUndefined();
  });
  it.each([{ Mode: "active" }, { Mode: "On" }, {}, "Active"])("refuses %j by name", (TracingConfig) => {
    expect(() => parseInput(UpdateConfigurationSchema, { TracingConfig })).toThrow(/TracingConfig/);
  });
});
