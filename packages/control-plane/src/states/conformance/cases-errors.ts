// Conformance rows for error handling: Retry (IntervalSeconds, MaxAttempts,
// BackoffRate, MaxDelaySeconds, JitterStrategy), Catch (ResultPath, order, States.ALL),
// the predefined error names and task timeouts.
import { NEVER } from "../memory-driver.js";
import type { Json } from "../types.js";
import { type ConformanceCase, fn, single } from "./case.js";

/** A function that fails with `error` its first `n` calls, then answers "ok". */
const flaky =
  (n: number, error = "Flaky") =>
  (_p: Json, call: number) =>
    call <= n ? { ok: false as const, error, cause: `call ${call}` } : "ok";
const recovering = (task: Record<string, unknown>) => {
  const targets = new Set(((task.Catch ?? []) as { Next: string }[]).map((c) => c.Next));
  const handlers = {
    RecoveryState: { Type: "Pass", Parameters: { "recovered.$": "$.error-info.Error" }, End: true },
    EndMachine: { Type: "Pass", Result: "caught by States.ALL", End: true },
  };
  return {
    StartAt: "T",
    States: {
      T: { Type: "Task", Next: "Done", ...task },
      Done: { Type: "Pass", End: true },
      ...Object.fromEntries(Object.entries(handlers).filter(([name]) => targets.has(name))),
    },
  };
};
// states-language.net, "Error Handling": the Catch example.
const specCatch = [
  { ErrorEquals: ["java.lang.Exception"], ResultPath: "$.error-info", Next: "RecoveryState" },
  { ErrorEquals: ["States.ALL"], Next: "EndMachine" },
];

export const errorCases: ConformanceCase[] = [
  {
    name: "Retry: a function failing twice succeeds on the third attempt",
    source: "https://states-language.net/#retrying-after-error",
    definition: single({
      Type: "Task",
      Resource: fn("flaky"),
      Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 1.5 }],
    }),
    input: {},
    functions: { flaky: flaky(2) },
    expect: { output: "ok" },
    invocations: 3,
  },
  {
    name: "Retry: MaxAttempts exhausted fails with the function's error",
    source: "https://states-language.net/#retrying-after-error",
    definition: single({
      Type: "Task",
      Resource: fn("flaky"),
      Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 2 }],
    }),
    input: {},
    functions: { flaky: flaky(5) },
    expect: { error: "Flaky", cause: "call 3" },
    invocations: 3,
  },
  {
    name: "Retry: MaxAttempts 0 never retries",
    source: "https://states-language.net/#retrying-after-error",
    definition: single({
      Type: "Task",
      Resource: fn("flaky"),
      Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 0 }],
    }),
    input: {},
    functions: { flaky: flaky(1) },
    expect: { error: "Flaky" },
    invocations: 1,
  },
  {
    name: "Retry: only the first matching retrier counts; States.TaskFailed matches a function error",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: single({
      Type: "Task",
      Resource: fn("flaky"),
      Retry: [
        { ErrorEquals: ["Other"], MaxAttempts: 5 },
        { ErrorEquals: ["States.TaskFailed"], MaxAttempts: 1, MaxDelaySeconds: 1, JitterStrategy: "FULL" },
      ],
    }),
    input: {},
    functions: { flaky: flaky(1) },
    expect: { output: "ok" },
    invocations: 2,
  },
  {
    name: "Catch: the first catcher naming the error runs, ResultPath keeps the input",
    source: "https://states-language.net/#catching-errors",
    definition: recovering({ Resource: fn("thrower"), Catch: specCatch }),
    input: { order: 1 },
    functions: { thrower: () => ({ ok: false, error: "java.lang.Exception", cause: "nope" }) },
    expect: { output: { recovered: "java.lang.Exception" } },
  },
  {
    name: "Catch: States.ALL catches any other error; default ResultPath replaces the input",
    source: "https://states-language.net/#catching-errors",
    definition: recovering({ Resource: fn("thrower"), Catch: specCatch }),
    input: { order: 1 },
    functions: { thrower: () => ({ ok: false, error: "CustomError", cause: "nope" }) },
    expect: { output: "caught by States.ALL" },
  },
  {
    name: "Catch: the error output is {Error, Cause}",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: {
      StartAt: "T",
      States: {
        T: { Type: "Task", Resource: fn("thrower"), Catch: [{ ErrorEquals: ["States.ALL"], Next: "Out" }], End: true },
        Out: { Type: "Pass", End: true },
      },
    },
    input: {},
    functions: { thrower: () => ({ ok: false, error: "CustomError", cause: "bad input" }) },
    expect: { output: { Error: "CustomError", Cause: "bad input" } },
  },
  {
    name: "Retry then Catch: retries run out, then the catcher takes the error",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: recovering({
      Resource: fn("flaky"),
      Retry: [{ ErrorEquals: ["java.lang.Exception"], MaxAttempts: 1 }],
      Catch: specCatch,
    }),
    input: {},
    functions: { flaky: flaky(9, "java.lang.Exception") },
    expect: { output: { recovered: "java.lang.Exception" } },
    invocations: 2,
  },
  {
    name: "Task TimeoutSeconds: a function that never answers fails with States.Timeout",
    source: "https://states-language.net/#task-state",
    definition: single({ Type: "Task", Resource: fn("hang"), TimeoutSeconds: 30 }),
    input: {},
    functions: { hang: () => NEVER },
    expect: { error: "States.Timeout" },
  },
  {
    name: "States.ALL does not retry States.Timeout away from States.TaskFailed; a timeout is caught by name",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: recovering({
      Resource: fn("hang"),
      TimeoutSeconds: 5,
      Retry: [{ ErrorEquals: ["States.TaskFailed"], MaxAttempts: 3 }],
      Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.error-info", Next: "RecoveryState" }],
    }),
    input: {},
    functions: { hang: () => NEVER },
    expect: { output: { recovered: "States.Timeout" } },
    invocations: 1,
  },
  {
    name: "an unknown function fails with Lambda.ResourceNotFoundException",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html",
    definition: single({ Type: "Task", Resource: fn("nobody") }),
    input: {},
    expect: { error: "Lambda.ResourceNotFoundException" },
  },
  {
    name: "Choice with no match and no Default fails with States.NoChoiceMatched",
    source: "https://states-language.net/#choice-state",
    definition: {
      StartAt: "C",
      States: {
        C: { Type: "Choice", Choices: [{ Variable: "$.a", NumericEquals: 1, Next: "X" }] },
        X: { Type: "Succeed" },
      },
    },
    input: { a: 2 },
    expect: { error: "States.NoChoiceMatched" },
  },
  {
    name: "a failed Parallel branch fails the state; Catch on the Parallel takes its error",
    source: "https://states-language.net/#parallel-state",
    definition: {
      StartAt: "P",
      States: {
        P: {
          Type: "Parallel",
          Branches: [
            { StartAt: "Ok", States: { Ok: { Type: "Pass", End: true } } },
            { StartAt: "Bad", States: { Bad: { Type: "Fail", Error: "BranchError", Cause: "branch 2" } } },
          ],
          Catch: [{ ErrorEquals: ["BranchError"], ResultPath: "$.err", Next: "After" }],
          End: true,
        },
        After: { Type: "Pass", End: true },
      },
    },
    input: { a: 1 },
    expect: { output: { a: 1, err: { Error: "BranchError", Cause: "branch 2" } } },
  },
  {
    name: "Retry on a Map re-runs all its iterations",
    source: "https://states-language.net/#map-state",
    definition: single({
      Type: "Map",
      Retry: [{ ErrorEquals: ["Flaky"], MaxAttempts: 1 }],
      ItemProcessor: { StartAt: "T", States: { T: { Type: "Task", Resource: fn("flaky"), End: true } } },
    }),
    input: [1, 2],
    functions: { flaky: flaky(1) },
    expect: { output: ["ok", "ok"] },
    invocations: 4,
  },
  {
    name: "States.Runtime is not caught by States.ALL",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: recovering({
      Resource: fn("echo"),
      InputPath: "$.missing",
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "EndMachine" }],
    }),
    input: {},
    functions: { echo: (p) => p },
    expect: { error: "States.Runtime" },
  },
  {
    name: "execution TimeoutSeconds ends a long Wait with States.Timeout",
    source: "https://states-language.net/#toplevelfields",
    definition: { ...single({ Type: "Wait", Seconds: 600 }), TimeoutSeconds: 60 },
    input: {},
    expect: { error: "States.Timeout", status: "TIMED_OUT" },
  },
];

errorCases.push({
  name: "an output over 256 KB fails with States.DataLimitExceeded, which States.ALL does not catch",
  source: "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html",
  definition: recovering({ Resource: fn("big"), Catch: [{ ErrorEquals: ["States.ALL"], Next: "EndMachine" }] }),
  input: {},
  functions: { big: () => "x".repeat(300 * 1024) },
  expect: { error: "States.DataLimitExceeded" },
});
