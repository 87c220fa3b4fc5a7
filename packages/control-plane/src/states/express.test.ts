import { describe, expect, it } from "vitest";
import { logged, loggingOf, logLine, streamOf } from "./execution-logs.js";
import { executionName, expressArn, expressProblems, expressRowName, isExpressArn } from "./express.js";
import type { Definition } from "./types.js";

const task = (Resource: string): Definition => ({
  StartAt: "T",
  States: { T: { Type: "Task", Resource, End: true } },
});

describe("Express definitions", () => {
  it.each([
    ["arn:aws:states:::lambda:invoke.waitForTaskToken", "'.waitForTaskToken' service integration"],
    ["arn:aws:states:::states:startExecution.sync", "'.sync' service integration"],
    ["arn:aws:states:::states:startExecution.sync:2", "'.sync:2' service integration"],
    ["arn:aws:states:us-east-1:123456789012:activity:work", "Activity ARN"],
  ])("refuses %s", (resource, why) => {
    expect(expressProblems(task(resource))).toEqual([
      `SCHEMA_VALIDATION_FAILED: Express state machine does not support ${why} at /States/T/Resource`,
    ]);
  });

  it.each([
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::states:startExecution",
    "arn:aws:lambda:us-east-1:123456789012:function:f",
  ])("accepts the Request Response pattern: %s", (resource) => {
    expect(expressProblems(task(resource))).toEqual([]);
  });

  it("looks inside Parallel branches", () => {
    const def: Definition = {
      StartAt: "P",
      States: {
        P: { Type: "Parallel", End: true, Branches: [task("arn:aws:states:::lambda:invoke.waitForTaskToken")] },
      },
    };
    expect(expressProblems(def)[0]).toMatch(/at \/States\/P\/Branches\/0\/States\/T\/Resource$/);
  });

  it("names executions by ARN: a reused name stays apart by its id", () => {
    const a = expressArn("us-east-1", "123456789012", "m", "run");
    const b = expressArn("us-east-1", "123456789012", "m", "run");
    expect(a).toMatch(/^arn:aws:states:us-east-1:123456789012:express:m:run:[0-9a-f-]{36}$/);
    expect(isExpressArn(a)).toBe(true);
    expect(isExpressArn("arn:aws:states:us-east-1:123456789012:execution:m:run")).toBe(false);
    expect(expressRowName(a)).not.toBe(expressRowName(b));
    expect(executionName({ arn: a, name: expressRowName(a) })).toBe("run");
  });
});

describe("execution logs", () => {
  it.each([
    ["ALL", "PassStateEntered", true],
    ["ERROR", "PassStateEntered", false],
    ["ERROR", "LambdaFunctionFailed", true],
    ["ERROR", "FailStateEntered", true],
    ["ERROR", "ExecutionTimedOut", true],
    ["FATAL", "LambdaFunctionFailed", false],
    ["FATAL", "ExecutionFailed", true],
  ] as const)("level %s logs %s: %s", (level, type, expected) => {
    expect(logged(level, type)).toBe(expected);
  });

  it("writes an event as Step Functions does, leaving data out unless asked", () => {
    const e = {
      id: 3,
      previousEventId: 2,
      timestamp: "2026-01-02T03:04:05.678Z",
      type: "PassStateExited",
      stateExitedEventDetails: { name: "P", output: '{"a":1}' },
    };
    const line = JSON.parse(logLine(e, "arn:x", false));
    expect(line).toEqual({
      id: "3",
      type: "PassStateExited",
      details: { name: "P", outputDetails: { included: false } },
      previous_event_id: "2",
      event_timestamp: String(Date.parse(e.timestamp)),
      execution_arn: "arn:x",
      redrive_count: "0",
    });
    expect(JSON.parse(logLine(e, "arn:x", true)).details.output).toBe('{"a":1}');
    const row = { arn: "arn:aws:states:r:1:express:m:n:abcdef12-0000", startDate: new Date(e.timestamp) };
    expect(streamOf(row, "m")).toBe("states/m/2026-01-02-03-04/abcdef12");
  });

  const port = (groups: string[]) => ({ groupExists: async (_a: string, g: string) => groups.includes(g) });
  const cfg = (loggingConfiguration: unknown) => ({ loggingConfiguration });
  const arn = (g: string) => `arn:aws:logs:us-east-1:123456789012:log-group:${g}:*`;

  it("reads a logging configuration whose group exists", async () => {
    const c = cfg({
      level: "ERROR",
      includeExecutionData: true,
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: arn("/sfn/x") } }],
    });
    expect(await loggingOf(c, "123456789012", "us-east-1", port(["/sfn/x"]))).toEqual({
      level: "ERROR",
      includeExecutionData: true,
      logGroup: "/sfn/x",
      logGroupArn: arn("/sfn/x"),
    });
    expect(await loggingOf(cfg({ level: "OFF" }), "123456789012", "us-east-1", port([]))).toBeNull();
    expect(await loggingOf({}, "123456789012", "us-east-1", port([]))).toBeUndefined();
  });

  it.each([
    [
      "a group that does not exist",
      { level: "ALL", destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: arn("/nope") } }] },
    ],
    [
      "another account's group",
      {
        level: "ALL",
        destinations: [
          { cloudWatchLogsLogGroup: { logGroupArn: arn("/sfn/x").replace("123456789012", "999999999999") } },
        ],
      },
    ],
    [
      "an ARN without :*",
      { level: "ALL", destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: arn("/sfn/x").slice(0, -2) } }] },
    ],
    ["no destination", { level: "FATAL" }],
  ])("refuses %s with InvalidLoggingConfiguration", async (_why, c) => {
    await expect(loggingOf(cfg(c), "123456789012", "us-east-1", port(["/sfn/x"]))).rejects.toMatchObject({
      code: "InvalidLoggingConfiguration",
    });
  });

  it("refuses an unknown level with ValidationException", async () => {
    await expect(loggingOf(cfg({ level: "LOUD" }), "1", "r", port([]))).rejects.toMatchObject({
      code: "ValidationException",
    });
  });
});
