// Conformance rows for JSONPath input and output processing: InputPath, Parameters
// (`.$` keys, the context object), ResultSelector, ResultPath and OutputPath.
import { type ConformanceCase, fn, single } from "./case.js";

const guideInput = {
  comment: "This is a test of the input and output of a Task state.",
  details: "Default example",
  who: "AWS Step Functions",
};
const hello = { HelloFunction: (p: unknown) => `Hello, ${(p as { who: string }).who}!` };

export const pathCases: ConformanceCase[] = [
  {
    // states-language.net, "Input and Output Processing": the numbers example.
    name: "InputPath selects what a task sees, ResultPath places its result in the raw input",
    source: "https://states-language.net/#filters",
    definition: single({ Type: "Task", Resource: fn("Add"), InputPath: "$.numbers", ResultPath: "$.sum" }),
    input: { title: "Numbers to add", numbers: { val1: 3, val2: 4 } },
    functions: { Add: (p) => (p as { val1: number; val2: number }).val1 + (p as { val2: number }).val2 },
    expect: { output: { title: "Numbers to add", numbers: { val1: 3, val2: 4 }, sum: 7 } },
  },
  {
    name: "OutputPath keeps only part of the state's output",
    source: "https://states-language.net/#filters",
    definition: single({
      Type: "Task",
      Resource: fn("Add"),
      InputPath: "$.numbers",
      ResultPath: "$.sum",
      OutputPath: "$.sum",
    }),
    input: { title: "Numbers to add", numbers: { val1: 3, val2: 4 } },
    functions: { Add: (p) => (p as { val1: number; val2: number }).val1 + (p as { val2: number }).val2 },
    expect: { output: 7 },
  },
  {
    // Developer guide, "Specifying state output using ResultPath": ResultPath "$" (the default).
    name: "ResultPath $ replaces the input with the result",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html",
    definition: single({ Type: "Task", Resource: fn("HelloFunction") }),
    input: guideInput,
    functions: hello,
    expect: { output: "Hello, AWS Step Functions!" },
  },
  {
    name: "ResultPath null discards the result and passes the input through",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html",
    definition: single({ Type: "Task", Resource: fn("HelloFunction"), ResultPath: null }),
    input: guideInput,
    functions: hello,
    expect: { output: guideInput },
  },
  {
    name: "ResultPath $.taskresult adds the result beside the input",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html",
    definition: single({ Type: "Task", Resource: fn("HelloFunction"), ResultPath: "$.taskresult" }),
    input: guideInput,
    functions: hello,
    expect: { output: { ...guideInput, taskresult: "Hello, AWS Step Functions!" } },
  },
  {
    name: "ResultPath into a nested node creates it",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html",
    definition: single({ Type: "Task", Resource: fn("HelloFunction"), ResultPath: "$.strings.lambdaresult" }),
    input: { ...guideInput, strings: { first: "x" } },
    functions: hello,
    expect: { output: { ...guideInput, strings: { first: "x", lambdaresult: "Hello, AWS Step Functions!" } } },
  },
  {
    // states-language.net, "Parameters": static fields, `.$` paths and slices.
    name: "Parameters builds the effective input from paths and constants",
    source: "https://states-language.net/#parameters",
    definition: single({
      Type: "Pass",
      Parameters: { flagged: true, parts: { "first.$": "$.vals[0]", "last3.$": "$.vals[-3:]" } },
    }),
    input: { flagged: 7, vals: [0, 10, 20, 30, 40, 50] },
    expect: { output: { flagged: true, parts: { first: 0, last3: [30, 40, 50] } } },
  },
  {
    name: "Parameters reads the context object with $$",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html",
    definition: single({
      Type: "Pass",
      Parameters: {
        "name.$": "$$.Execution.Name",
        "state.$": "$$.State.Name",
        "machine.$": "$$.StateMachine.Name",
        "input.$": "$$.Execution.Input.x",
      },
    }),
    input: { x: 42 },
    expect: { output: { name: "run-1", state: "S", machine: "machine", input: 42 } },
  },
  {
    // Developer guide, "Manipulate parameters": ResultSelector keeps what matters of a result.
    name: "ResultSelector reshapes the task result before ResultPath",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html",
    definition: single({
      Type: "Task",
      Resource: fn("Cluster"),
      ResultSelector: { "ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType", static: 1 },
      ResultPath: "$.EMROutput",
    }),
    input: { keep: true },
    functions: {
      Cluster: () => ({
        resourceType: "elasticmapreduce",
        resource: "createCluster.sync",
        output: { ClusterId: "AKIAIOSFODNN7EXAMPLE", Other: 1 },
      }),
    },
    expect: {
      output: {
        keep: true,
        EMROutput: { ClusterId: "AKIAIOSFODNN7EXAMPLE", ResourceType: "elasticmapreduce", static: 1 },
      },
    },
  },
  {
    name: "InputPath null gives the state an empty object",
    source: "https://states-language.net/#filters",
    definition: single({ Type: "Pass", InputPath: null }),
    input: { a: 1 },
    expect: { output: {} },
  },
  {
    name: "OutputPath null makes the output an empty object",
    source: "https://states-language.net/#filters",
    definition: single({ Type: "Pass", OutputPath: null }),
    input: { a: 1 },
    expect: { output: {} },
  },
  {
    name: "a Pass state's Result is placed by ResultPath",
    source: "https://states-language.net/#pass-state",
    definition: single({
      Type: "Pass",
      Result: { "x-datum": 0.381018, "y-datum": 622.2269926397355 },
      ResultPath: "$.coords",
    }),
    input: { georefOf: "Home" },
    expect: { output: { georefOf: "Home", coords: { "x-datum": 0.381018, "y-datum": 622.2269926397355 } } },
  },
  {
    name: "an InputPath that matches nothing fails with States.Runtime",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: single({ Type: "Pass", InputPath: "$.missing" }),
    input: { a: 1 },
    expect: { error: "States.Runtime", cause: /\$\.missing/ },
  },
  {
    name: "a wildcard path in Parameters selects a list",
    source: "https://states-language.net/#path",
    definition: single({ Type: "Pass", Parameters: { "names.$": "$.people[*].name" } }),
    input: { people: [{ name: "a" }, { name: "b" }] },
    expect: { output: { names: ["a", "b"] } },
  },
  {
    name: "ResultPath into a field that is not an object fails with States.ResultPathMatchFailure",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: single({ Type: "Pass", Result: 1, ResultPath: "$.a.b" }),
    input: { a: "text" },
    expect: { error: "States.ResultPathMatchFailure" },
  },
  {
    name: "a Parameters path that matches nothing fails with States.ParameterPathFailure",
    source: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    definition: single({ Type: "Pass", Parameters: { "x.$": "$.missing" } }),
    input: { a: 1 },
    expect: { error: "States.ParameterPathFailure" },
  },
];
