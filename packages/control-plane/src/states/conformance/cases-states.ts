// Conformance rows for the state types: Choice (operators, And/Or/Not, type tests),
// Wait (all four forms), Succeed, Fail, Parallel, Map and the Task resources.
import type { Json } from "../types.js";
import { type ConformanceCase, fn, single } from "./case.js";

// states-language.net, "Choice State": the ChoiceStateX example, its targets as Pass states naming themselves.
const choiceX = (rules: unknown[]) => ({
  StartAt: "ChoiceStateX",
  States: {
    ChoiceStateX: { Type: "Choice", Choices: rules, Default: "DefaultState" },
    Public: { Type: "Pass", Result: "Public", End: true },
    ValueInTwenties: { Type: "Pass", Result: "ValueInTwenties", End: true },
    DefaultState: { Type: "Pass", Result: "DefaultState", End: true },
  },
});
const specRules = [
  { Not: { Variable: "$.type", StringEquals: "Private" }, Next: "Public" },
  {
    And: [
      { Variable: "$.value", IsPresent: true },
      { Variable: "$.value", IsNumeric: true },
      { Variable: "$.value", NumericGreaterThanEquals: 20 },
      { Variable: "$.value", NumericLessThan: 30 },
    ],
    Next: "ValueInTwenties",
  },
];
const chooses = (rule: Record<string, unknown>, input: Json, expected: string, name: string): ConformanceCase => ({
  name,
  source: "https://states-language.net/#choice-state",
  definition: {
    StartAt: "ChoiceStateX",
    States: {
      ChoiceStateX: { Type: "Choice", Choices: [{ ...rule, Next: "Public" }], Default: "DefaultState" },
      Public: { Type: "Pass", Result: "Public", End: true },
      DefaultState: { Type: "Pass", Result: "DefaultState", End: true },
    },
  },
  input,
  expect: { output: expected },
});
const map = (state: Record<string, unknown>) => single({ Type: "Map", ...state });
const iterate = (states: Record<string, unknown>, start = Object.keys(states)[0] as string) => ({
  StartAt: start,
  States: states,
});

export const stateCases: ConformanceCase[] = [
  {
    name: "Choice: Not StringEquals picks Public",
    source: "https://states-language.net/#choice-state",
    definition: choiceX(specRules),
    input: { type: "Public" },
    expect: { output: "Public" },
  },
  {
    name: "Choice: And of type tests and numeric ranges",
    source: "https://states-language.net/#choice-state",
    definition: choiceX(specRules),
    input: { type: "Private", value: 25 },
    expect: { output: "ValueInTwenties" },
  },
  {
    name: "Choice: no rule holds, Default is taken",
    source: "https://states-language.net/#choice-state",
    definition: choiceX(specRules),
    input: { type: "Private", value: 35 },
    expect: { output: "DefaultState" },
  },
  chooses(
    {
      Or: [
        { Variable: "$.a", StringLessThan: "b" },
        { Variable: "$.a", StringGreaterThanEquals: "y" },
      ],
    },
    { a: "z" },
    "Public",
    "Choice: Or with string ordering",
  ),
  chooses(
    { Variable: "$.a", StringMatches: "log-*.txt" },
    { a: "log-2026.txt" },
    "Public",
    "Choice: StringMatches with a wildcard",
  ),
  chooses(
    { Variable: "$.a", NumericEqualsPath: "$.b" },
    { a: 3, b: 3 },
    "Public",
    "Choice: NumericEqualsPath compares two paths",
  ),
  chooses({ Variable: "$.a", BooleanEquals: true }, { a: true }, "Public", "Choice: BooleanEquals"),
  chooses(
    { Variable: "$.t", TimestampLessThan: "2026-01-01T00:00:00Z" },
    { t: "2025-06-01T12:00:00Z" },
    "Public",
    "Choice: TimestampLessThan",
  ),
  chooses({ Variable: "$.a", IsNull: true }, { a: null }, "Public", "Choice: IsNull"),
  chooses(
    { Variable: "$.missing", IsPresent: false },
    { a: 1 },
    "Public",
    "Choice: IsPresent false on a missing field",
  ),
  chooses(
    { Variable: "$.a", NumericGreaterThan: 1 },
    { a: "5" },
    "DefaultState",
    "Choice: a comparison of another type is false",
  ),
  {
    name: "Wait Seconds moves on after the fake clock passes",
    source: "https://states-language.net/#wait-state",
    definition: single({ Type: "Wait", Seconds: 10 }),
    input: { a: 1 },
    expect: { output: { a: 1 } },
  },
  {
    name: "Wait Timestamp in the past moves on at once",
    source: "https://states-language.net/#wait-state",
    definition: single({ Type: "Wait", Timestamp: "2016-03-14T01:59:00Z" }),
    input: { a: 1 },
    expect: { output: { a: 1 } },
  },
  {
    name: "Wait SecondsPath and TimestampPath read the input",
    source: "https://states-language.net/#wait-state",
    definition: {
      StartAt: "W1",
      States: {
        W1: { Type: "Wait", SecondsPath: "$.expiryseconds", Next: "W2" },
        W2: { Type: "Wait", TimestampPath: "$.expirydate", End: true },
      },
    },
    input: { expiryseconds: 3600, expirydate: "2026-01-01T02:00:00Z" },
    expect: { output: { expiryseconds: 3600, expirydate: "2026-01-01T02:00:00Z" } },
  },
  {
    name: "Succeed passes its (filtered) input",
    source: "https://states-language.net/#succeed-state",
    definition: single({ Type: "Succeed", InputPath: "$.keep" }),
    input: { keep: { a: 1 }, drop: 2 },
    expect: { output: { a: 1 } },
  },
  {
    name: "Fail ends the execution with its Error and Cause",
    source: "https://states-language.net/#fail-state",
    definition: single({ Type: "Fail", Error: "ErrorA", Cause: "Kaiju attack" }),
    input: {},
    expect: { error: "ErrorA", cause: "Kaiju attack" },
  },
  {
    name: "Fail ErrorPath and CausePath (with States.Format) read the input",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html",
    definition: single({
      Type: "Fail",
      ErrorPath: "$.Error",
      CausePath: "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
    }),
    input: { Error: "CustomError", Cause: "a bad day" },
    expect: { error: "CustomError", cause: "This is a custom error message for CustomError, caused by a bad day." },
  },
  {
    // states-language.net, "Parallel State": LookupCustomerInfo with two branches.
    name: "Parallel runs every branch and outputs their results in order",
    source: "https://states-language.net/#parallel-state",
    definition: single({
      Type: "Parallel",
      Branches: [
        iterate({ LookupAddress: { Type: "Task", Resource: fn("AddressFinder"), End: true } }),
        iterate({ LookupPhone: { Type: "Task", Resource: fn("PhoneFinder"), End: true } }),
      ],
    }),
    input: { customer: "c1" },
    functions: { AddressFinder: () => "1 Main St", PhoneFinder: () => "555-0100" },
    expect: { output: ["1 Main St", "555-0100"] },
  },
  {
    // states-language.net, "Map State": the Validate-All example.
    name: "Map with ItemsPath, ItemSelector ($$.Map.Item.Value) and ResultPath",
    source: "https://states-language.net/#map-state",
    definition: map({
      ItemsPath: "$.shipped",
      ItemSelector: { "parcel.$": "$$.Map.Item.Value", "courier.$": "$.delivery-partner" },
      MaxConcurrency: 0,
      ItemProcessor: iterate({ Validate: { Type: "Task", Resource: fn("ship-val"), End: true } }),
      ResultPath: "$.detail.shipped",
    }),
    input: {
      "delivery-partner": "UQS",
      shipped: [
        { prod: "R31", "dest-code": 9511 },
        { prod: "S39", "dest-code": 9511 },
      ],
    },
    functions: { "ship-val": (p) => ({ ok: (p as { parcel: { prod: string } }).parcel.prod }) as Json },
    expect: {
      output: {
        "delivery-partner": "UQS",
        shipped: [
          { prod: "R31", "dest-code": 9511 },
          { prod: "S39", "dest-code": 9511 },
        ],
        detail: { shipped: [{ ok: "R31" }, { ok: "S39" }] },
      },
    },
  },
  {
    name: "Map with the legacy Iterator and $$.Map.Item.Index",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html",
    definition: map({
      Parameters: { "index.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value" },
      Iterator: iterate({ P: { Type: "Pass", End: true } }),
    }),
    input: ["a", "b"],
    expect: {
      output: [
        { index: 0, v: "a" },
        { index: 1, v: "b" },
      ],
    },
  },
  {
    name: "Map over an empty array outputs an empty array",
    source: "https://states-language.net/#map-state",
    definition: map({ ItemProcessor: iterate({ P: { Type: "Pass", End: true } }) }),
    input: [],
    expect: { output: [] },
  },
  {
    name: "Map over a non-array fails with States.Runtime",
    source: "https://states-language.net/#map-state",
    definition: map({ ItemsPath: "$.items", ItemProcessor: iterate({ P: { Type: "Pass", End: true } }) }),
    input: { items: "nope" },
    expect: { error: "States.Runtime" },
  },
  {
    name: "Map tolerates ToleratedFailureCount failures, keeping their error output",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html",
    definition: map({
      ToleratedFailureCount: 1,
      ItemProcessor: iterate({ T: { Type: "Task", Resource: fn("odd"), End: true } }),
    }),
    input: [1, 2, 3],
    functions: { odd: (p) => (p === 2 ? { ok: false, error: "Even", cause: "2" } : p) },
    expect: { output: [1, { Error: "Even", Cause: "2" }, 3] },
  },
  {
    name: "Map beyond ToleratedFailurePercentage fails with States.ExceedToleratedFailureThreshold",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html",
    definition: map({
      ToleratedFailurePercentage: 20,
      ItemProcessor: iterate({ T: { Type: "Task", Resource: fn("odd"), End: true } }),
    }),
    input: [1, 2, 4],
    functions: { odd: (p) => (p === 1 ? p : { ok: false, error: "Even", cause: String(p) }) },
    expect: { error: "States.ExceedToleratedFailureThreshold" },
  },
  {
    name: "Map fails fast: with MaxConcurrency 1 the first failure stops the rest",
    source: "https://states-language.net/#map-state",
    definition: map({
      MaxConcurrency: 1,
      ItemProcessor: iterate({ T: { Type: "Task", Resource: fn("boom"), End: true } }),
    }),
    input: [1, 2, 3],
    functions: { boom: () => ({ ok: false, error: "Boom", cause: "first item" }) },
    expect: { error: "Boom", cause: "first item" },
    invocations: 1,
  },
  {
    name: "lambda:invoke outputs {Payload, StatusCode, ...}; ResultSelector takes the Payload",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html",
    definition: {
      StartAt: "Raw",
      States: {
        Raw: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: fn("echo"), "Payload.$": "$" },
          ResultSelector: { "status.$": "$.StatusCode", "version.$": "$.ExecutedVersion" },
          ResultPath: "$.meta",
          Next: "Payload",
        },
        Payload: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: "echo", "Payload.$": "$.v" },
          OutputPath: "$.Payload",
          End: true,
        },
      },
    },
    input: { v: { hello: "world" } },
    functions: { echo: (p) => p },
    expect: { output: { hello: "world" } },
  },
  {
    name: ".waitForTaskToken hands the token in the payload and takes the callback's output",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html",
    definition: single({
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: { FunctionName: "approver", Payload: { "token.$": "$$.Task.Token", "order.$": "$.order" } },
    }),
    input: { order: 7 },
    functions: {
      approver: (p) => ({
        approved: (p as { order: number }).order,
        tokenSeen: (p as { token: string }).token === (p as { __token: string }).__token,
      }),
    },
    expect: { output: { approved: 7, tokenSeen: true } },
  },
  {
    name: "states:startExecution.sync:2 runs a nested execution and outputs its result",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html",
    definition: single({
      Type: "Task",
      Resource: "arn:aws:states:::states:startExecution.sync:2",
      Parameters: {
        StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:child",
        Input: { "n.$": "$.n" },
      },
      OutputPath: "$.Output",
    }),
    input: { n: 5 },
    machines: {
      "arn:aws:states:us-east-1:123456789012:stateMachine:child": single({
        Type: "Pass",
        Parameters: { "doubled.$": "States.MathAdd($.n, $.n)" },
      }),
    },
    expect: { output: { doubled: 10 } },
  },
];
