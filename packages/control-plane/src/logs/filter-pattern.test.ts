// Filter patterns against the examples of AWS's "Filter pattern syntax for metric
// filters, subscription filters, and filter log events", and malformed ones refused.
import { describe, expect, it } from "vitest";
import { FilterPatternError, parseFilterPattern } from "./filter-pattern.js";

const LINES = [
  "[ERROR 400] BAD REQUEST",
  "[ERROR 401] UNAUTHORIZED REQUEST",
  "[ERROR 419] MISSING ARGUMENTS",
  "[ERROR 420] INVALID ARGUMENTS",
  "[ERROR 500] INTERNAL SERVER ERROR",
  "[INFO] all fine",
];

describe("terms", () => {
  it.each([
    ["", [0, 1, 2, 3, 4, 5]],
    ['""', [0, 1, 2, 3, 4, 5]],
    ["ERROR", [0, 1, 2, 3, 4]],
    ["ERROR ARGUMENTS", [2, 3]],
    ["?ARGUMENTS ?SERVER", [2, 3, 4]],
    ["?ERROR ?ARGUMENTS", [0, 1, 2, 3, 4]],
    ['"INTERNAL SERVER ERROR"', [4]],
    ["ERROR -ARGUMENTS", [0, 1, 4]],
    ['ERROR -"BAD REQUEST"', [1, 2, 3, 4]],
    ["error", []],
    ['"[ERROR 4"', [0, 1, 2, 3]],
    ["ERROR ?MISSING ?INVALID", [2, 3]],
  ])("%j matches lines %j", (pattern, expected) => {
    const m = parseFilterPattern(pattern);
    expect(LINES.flatMap((l, i) => (m(l) ? [i] : []))).toEqual(expected);
  });
});

const TRAIL = JSON.stringify({
  eventType: "UpdateTrail",
  sourceIPAddress: "111.111.111.111",
  arrayKey: ["value", "another value"],
  objectList: [
    { name: "a", id: 1 },
    { name: "b", id: 2 },
  ],
  SomeObject: null,
  ThisFlag: true,
  latency: 150,
  errorCode: "AccessDeniedException",
});

const USERS = JSON.stringify({
  user: { id: 1, email: "John.Stiles@example.com" },
  users: [
    { id: 2, email: "John.Doe@example.com" },
    { id: 3, email: "Jane.Doe@example.com" },
  ],
  actions: ["GET", "PUT", "DELETE"],
  coordinates: [
    [0, 1, 2],
    [4, 5, 6],
  ],
});

describe("JSON patterns", () => {
  it.each([
    ['{ $.eventType = "UpdateTrail" }', TRAIL, true],
    ['{ $.eventType = "CreateTrail" }', TRAIL, false],
    ["{ $.sourceIPAddress != 123.123.* }", TRAIL, true],
    ["{ $.sourceIPAddress = 111.111.* }", TRAIL, true],
    ['{ $.arrayKey[0] = "value" }', TRAIL, true],
    ['{ $.arrayKey[1] = "value" }', TRAIL, false],
    ["{ $.objectList[1].id = 2 }", TRAIL, true],
    ["{ $.objectList[1].id = 1 }", TRAIL, false],
    ["{ $.SomeObject IS NULL }", TRAIL, true],
    ["{ $.eventType IS NULL }", TRAIL, false],
    ["{ $.SomeOtherObject NOT EXISTS }", TRAIL, true],
    ["{ $.SomeObject NOT EXISTS }", TRAIL, false],
    ["{ $.SomeObject EXISTS }", TRAIL, true],
    ["{ $.ThisFlag IS TRUE }", TRAIL, true],
    ["{ $.ThisFlag IS FALSE }", TRAIL, false],
    ["{ $.latency > 100 }", TRAIL, true],
    ["{ $.latency <= 100 }", TRAIL, false],
    ["{ $.latency >= 150 && $.latency < 151 }", TRAIL, true],
    ['{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*" }', TRAIL, true],
    ['{ $.errorCode = "*UnauthorizedOperation" }', TRAIL, false],
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', USERS, true],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', USERS, false],
    [
      '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
      USERS,
      true,
    ],
    [
      '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
      USERS,
      false,
    ],
    ["{ $.coordinates[1][2] = 6 }", USERS, true],
    ['{ $.level = "ERROR" }', "ERROR not json", false],
    ['{ $.level = "ERROR" }', '["ERROR"]', false],
  ])("%s on %s is %s", (pattern, message, expected) => {
    expect(parseFilterPattern(pattern)(message)).toBe(expected);
  });
});

describe("malformed patterns", () => {
  it.each([
    '"unterminated',
    "{ $.a = 1",
    "{ $.a = }",
    "{ a = 1 }",
    "{ $.a == 1 }",
    "{ $.a > abc }",
    "{ $.a IS MAYBE }",
    "{ $. = 1 }",
    "{ $.a = 1 } trailing",
    "{ ($.a = 1 }",
    "{ $.a = 1 & $.b = 2 }",
    "[ip, user]",
    "%ERROR%",
    "ERROR -",
    "x".repeat(1025),
  ])("%j is refused", (pattern) => {
    expect(() => parseFilterPattern(pattern)).toThrow(FilterPatternError);
  });
});
