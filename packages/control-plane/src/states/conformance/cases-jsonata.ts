// Conformance rows for the JSONata query language: QueryLanguage at the top or per
// state, `{% %}` expressions in Arguments, Output, Items, Condition, Seconds, Error
// and Cause, `$states` (input, result, errorOutput, context) and Assign variables.
import { type ConformanceCase, fn, single } from "./case.js";

const source = "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html";
const jsonata = { QueryLanguage: "JSONata" as const };

export const jsonataCases: ConformanceCase[] = [
  {
    name: "JSONata Output computes the state output from $states.input",
    source,
    definition: single(
      {
        Type: "Pass",
        Output: { total: "{% $sum($states.input.items.price) %}", who: "{% $uppercase($states.input.customer) %}" },
      },
      jsonata,
    ),
    input: { customer: "ana", items: [{ price: 2 }, { price: 3.5 }] },
    expect: { output: { total: 5.5, who: "ANA" } },
  },
  {
    name: "JSONata Arguments is the task payload; Output reads $states.result",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html",
    definition: single(
      {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Arguments: { FunctionName: fn("echo"), Payload: { n: "{% $states.input.n * 2 %}" } },
        Output: "{% $states.result.Payload.n %}",
      },
      jsonata,
    ),
    input: { n: 21 },
    functions: { echo: (p) => p },
    expect: { output: 42 },
  },
  {
    name: "JSONata Assign sets variables a later state reads",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html",
    definition: {
      QueryLanguage: "JSONata",
      StartAt: "Set",
      States: {
        Set: { Type: "Pass", Assign: { productName: "{% $states.input.name %}", count: 3 }, Next: "Use" },
        Use: { Type: "Pass", Output: "{% $productName & ' x' & $string($count) %}", End: true },
      },
    },
    input: { name: "widget" },
    expect: { output: "widget x3" },
  },
  {
    name: "JSONata Choice Condition picks the rule",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html",
    definition: {
      QueryLanguage: "JSONata",
      StartAt: "C",
      States: {
        C: {
          Type: "Choice",
          Choices: [{ Condition: "{% $states.input.age >= 18 %}", Next: "Adult" }],
          Default: "Minor",
        },
        Adult: { Type: "Pass", Output: "{% 'adult' %}", End: true },
        Minor: { Type: "Pass", Output: "{% 'minor' %}", End: true },
      },
    },
    input: { age: 30 },
    expect: { output: "adult" },
  },
  {
    name: "JSONata Wait Seconds from an expression",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html",
    definition: single({ Type: "Wait", Seconds: "{% $states.input.delay %}" }, jsonata),
    input: { delay: 30 },
    expect: { output: { delay: 30 } },
  },
  {
    name: "JSONata Map Items and ItemSelector with $states.context.Map.Item",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html",
    definition: single(
      {
        Type: "Map",
        Items: "{% $states.input.list %}",
        ItemSelector: { i: "{% $states.context.Map.Item.Index %}", v: "{% $states.context.Map.Item.Value %}" },
        ItemProcessor: {
          StartAt: "P",
          States: { P: { Type: "Pass", Output: "{% $states.input.v & '#' & $string($states.input.i) %}", End: true } },
        },
      },
      jsonata,
    ),
    input: { list: ["a", "b"] },
    expect: { output: ["a#0", "b#1"] },
  },
  {
    name: "JSONata Fail Error and Cause from expressions",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html",
    definition: single(
      {
        Type: "Fail",
        Error: "{% $states.input.code %}",
        Cause: "{% 'order ' & $string($states.input.id) & ' refused' %}",
      },
      jsonata,
    ),
    input: { code: "Refused", id: 9 },
    expect: { error: "Refused", cause: "order 9 refused" },
  },
  {
    name: "JSONata Catch Output reads $states.errorOutput",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: {
      QueryLanguage: "JSONata",
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: fn("thrower"),
          Catch: [
            { ErrorEquals: ["States.ALL"], Output: { failedWith: "{% $states.errorOutput.Error %}" }, Next: "Done" },
          ],
          End: true,
        },
        Done: { Type: "Succeed" },
      },
    },
    input: {},
    functions: { thrower: () => ({ ok: false, error: "CustomError", cause: "x" }) },
    expect: { output: { failedWith: "CustomError" } },
  },
  {
    name: "a JSONata state inside a JSONPath machine",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
    definition: {
      StartAt: "Path",
      States: {
        Path: { Type: "Pass", Parameters: { "v.$": "$.v" }, Next: "Nata" },
        Nata: { Type: "Pass", QueryLanguage: "JSONata", Output: "{% $states.input.v + 1 %}", End: true },
      },
    },
    input: { v: 1 },
    expect: { output: 2 },
  },
  {
    name: "JSONata Parallel Arguments feeds every branch, Output reads the results",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html",
    definition: single(
      {
        Type: "Parallel",
        Arguments: { n: "{% $states.input.n %}" },
        Branches: [
          { StartAt: "A", States: { A: { Type: "Pass", Output: "{% $states.input.n + 1 %}", End: true } } },
          { StartAt: "B", States: { B: { Type: "Pass", Output: "{% $states.input.n * 10 %}", End: true } } },
        ],
        Output: "{% $sum($states.result) %}",
      },
      jsonata,
    ),
    input: { n: 2 },
    expect: { output: 23 },
  },
  {
    name: "a JSONata expression error fails with States.QueryEvaluationError",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: single({ Type: "Pass", Output: "{% $number('not a number') + $undefinedFunction() %}" }, jsonata),
    input: {},
    expect: { error: "States.QueryEvaluationError" },
  },
];
