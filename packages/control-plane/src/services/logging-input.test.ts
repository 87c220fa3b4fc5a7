// LoggingConfig as Lambda checks and keeps it: levels only with JSON (INFO by default
// there), an update changing only what it names.
import { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { LoggingConfigSchema, loggingOf, loggingShape } from "./logging-input.js";

describe("loggingOf", () => {
  it.each([
    [undefined, undefined, { logFormat: "Text" }],
    [{ LogFormat: "Text" }, undefined, { logFormat: "Text" }],
    [{ LogGroup: "/custom/g" }, undefined, { logFormat: "Text", logGroup: "/custom/g" }],
    [{ LogFormat: "JSON" }, undefined, { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO" }],
    [
      { LogFormat: "JSON", ApplicationLogLevel: "DEBUG", SystemLogLevel: "WARN" },
      undefined,
      { logFormat: "JSON", applicationLogLevel: "DEBUG", systemLogLevel: "WARN" },
    ],
    [
      { ApplicationLogLevel: "ERROR" },
      { logFormat: "JSON", logGroup: "/g", applicationLogLevel: "DEBUG", systemLogLevel: "WARN" },
      { logFormat: "JSON", logGroup: "/g", applicationLogLevel: "ERROR", systemLogLevel: "WARN" },
    ],
    [
      { LogFormat: "Text" },
      { logFormat: "JSON", logGroup: "/g", applicationLogLevel: "DEBUG", systemLogLevel: "WARN" },
      { logFormat: "Text", logGroup: "/g" },
    ],
  ] as const)("%j over %j is %j", (input, current, expected) => {
    expect(loggingOf(input, current)).toEqual(expected);
  });

  it.each([[{ LogFormat: "Text", ApplicationLogLevel: "DEBUG" }], [{ SystemLogLevel: "WARN" }]] as const)(
    "refuses levels without JSON: %j",
    (input) => {
      expect(() => loggingOf(input)).toThrow(StratusError);
    },
  );

  it.each([
    { LogFormat: "XML" },
    { ApplicationLogLevel: "VERBOSE" },
    { SystemLogLevel: "ERROR" },
    { LogGroup: "bad group" },
    { LogGroup: "" },
  ])("the schema refuses %j", (input) => {
    expect(LoggingConfigSchema.safeParse(input).success).toBe(false);
  });

  it("answers the default group when none is set", () => {
    expect(loggingShape({ logFormat: "Text" }, "f")).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/f" });
  });
});
