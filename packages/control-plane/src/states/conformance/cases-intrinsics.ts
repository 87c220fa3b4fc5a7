// Conformance rows for the intrinsic functions, from the developer guide's page on
// them: each row a Pass state whose Parameters call one function on the guide's input.
import type { Json } from "../types.js";
import { type ConformanceCase, single } from "./case.js";

const source = "https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html";
const call = (name: string, expression: string, input: Json, output: Json): ConformanceCase => ({
  name: `intrinsic ${name}`,
  source,
  definition: single({ Type: "Pass", Parameters: { "r.$": expression } }),
  input,
  expect: { output: { r: output } },
});
const nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];

export const intrinsicCases: ConformanceCase[] = [
  call(
    "States.Format",
    "States.Format('Hello, my name is {}.', $.name)",
    { name: "Arnav" },
    "Hello, my name is Arnav.",
  ),
  call(
    "States.Format with escaped braces and numbers",
    "States.Format('\\{{}\\} is {}', $.a, 42)",
    { a: "x" },
    "{x} is 42",
  ),
  call("States.StringToJson", "States.StringToJson($.someString)", { someString: '{"number": 20}' }, { number: 20 }),
  call(
    "States.JsonToString",
    "States.JsonToString($.zebra)",
    { zebra: { color: "white", stripes: 12 } },
    '{"color":"white","stripes":12}',
  ),
  call("States.Array", "States.Array('Foo', 2020, $.someJson, null)", { someJson: { random: "abcdefg" } }, [
    "Foo",
    2020,
    { random: "abcdefg" },
    null,
  ]),
  call("States.ArrayPartition", "States.ArrayPartition($.inputArray, 4)", { inputArray: nine }, [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9],
  ]),
  call(
    "States.ArrayContains",
    "States.ArrayContains($.inputArray, $.lookingFor)",
    { inputArray: nine, lookingFor: 5 },
    true,
  ),
  call("States.ArrayRange", "States.ArrayRange(1, 9, 2)", {}, [1, 3, 5, 7, 9]),
  call("States.ArrayGetItem", "States.ArrayGetItem($.inputArray, $.index)", { inputArray: nine, index: 5 }, 6),
  call("States.ArrayLength", "States.ArrayLength($.inputArray)", { inputArray: nine }, 9),
  call(
    "States.ArrayUnique",
    "States.ArrayUnique($.inputArray)",
    { inputArray: [1, 2, 3, 3, 3, 3, 3, 3, 4] },
    [1, 2, 3, 4],
  ),
  call("States.Base64Encode", "States.Base64Encode($.input)", { input: "Data to encode" }, "RGF0YSB0byBlbmNvZGU="),
  call("States.Base64Decode", "States.Base64Decode($.base64)", { base64: "RGF0YSB0byBlbmNvZGU=" }, "Data to encode"),
  call(
    "States.Hash",
    "States.Hash($.Data, $.Algorithm)",
    { Data: "input data", Algorithm: "SHA-1" },
    "aaff4a450a104cd177d28d18d74485e8cae074b7",
  ),
  call(
    "States.JsonMerge",
    "States.JsonMerge($.json1, $.json2, false)",
    { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } },
    { a: { a3: 1, a4: 2 }, b: 2, c: 3 },
  ),
  call("States.MathAdd", "States.MathAdd($.value1, $.step)", { value1: 111, step: -1 }, 110),
  call(
    "States.StringSplit",
    "States.StringSplit($.inputString, $.splitter)",
    { inputString: "1,2,3,4,5", splitter: "," },
    ["1", "2", "3", "4", "5"],
  ),
  call(
    "States.StringSplit on several delimiters",
    "States.StringSplit($.inputString, $.splitter)",
    { inputString: "This.is+a,test=string", splitter: ".+,=" },
    ["This", "is", "a", "test", "string"],
  ),
  call("nested calls", "States.ArrayLength(States.StringSplit($.s, ' '))", { s: "a b c" }, 3),
  {
    name: "intrinsic States.MathRandom stays in its range",
    source,
    definition: single({ Type: "Pass", Parameters: { "r.$": "States.MathRandom($.start, $.end)" } }),
    input: { start: 1, end: 999 },
    expect: {
      check: (o) => {
        const r = (o as { r: number }).r;
        return Number.isInteger(r) && r >= 1 && r < 999;
      },
    },
  },
  {
    name: "intrinsic States.UUID is a version 4 UUID",
    source,
    definition: single({ Type: "Pass", Parameters: { "r.$": "States.UUID()" } }),
    input: {},
    expect: {
      check: (o) =>
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test((o as { r: string }).r),
    },
  },
  {
    name: "intrinsic ArrayGetItem out of bounds fails with States.IntrinsicFailure",
    source,
    definition: single({ Type: "Pass", Parameters: { "r.$": "States.ArrayGetItem($.a, 5)" } }),
    input: { a: [1] },
    expect: { error: "States.IntrinsicFailure" },
  },
];
