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

const ACCESS = [
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
  '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /list.html HTTP/1.0" 404 2534',
  '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 500 500',
  "ERROR 500 short line",
];

describe("space-delimited patterns", () => {
  it.each([
    ["[ip, user, username, timestamp, request, status_code, bytes]", [0, 1, 2, 3]],
    ["[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]", [0, 1]],
    ["[ip, user, username, timestamp, request, status_code = 404, bytes > 2000]", [1]],
    ["[ip, user, ..., status_code, bytes]", [0, 1, 2, 3, 4]],
    ["[..., status_code = 404, bytes]", [0, 1]],
    ["[..., status_code != 404, bytes]", [2, 3]],
    ["[ip, user, username, timestamp, request, status_code = 4* || status_code = 5*, bytes]", [0, 1, 3]],
    ["[ip, user, username, timestamp, request, status_code = 4* && bytes > 2000, bytes]", [1]],
    ["[ip, ..., status_code = 404 || (status_code = 500 && bytes < 1000), bytes]", [0, 1, 3]],
    ['[ip, user = "-", username = frank, ...]', [0, 1, 2, 3]],
    ["[ip = 127.0.0.*, ...]", [0, 1, 2, 3]],
    ["[ip, user, username, timestamp = *13:25:15*, ...]", [0, 3]],
    ['[ip, user, username, timestamp, request = "GET /index.html HTTP/1.0", ...]', [0, 3]],
    ["[w1 = ERROR, w2, ...]", [4]],
    ["[w1 = ERROR, w2 = 500, w3, w4]", [4]],
    ["[w1 = ERROR, w2]", []],
    ["[..., w = short, ...]", [4]],
    ["[..., w = frank, next = *10/Oct*, ...]", [0, 1, 2, 3]],
    ["[ip, user, username, timestamp, request = %\\.html%, status_code = %4[0-9]{2}%, bytes]", [0, 1]],
    ["[..., status_code = %^5%, bytes]", [3]],
  ])("%s matches lines %j", (pattern, expected) => {
    const m = parseFilterPattern(pattern);
    expect(ACCESS.flatMap((l, i) => (m(l) ? [i] : []))).toEqual(expected);
  });
});

describe("regular expressions", () => {
  const AUTH = ["[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST", "[INFO] ok"];
  it.each([
    ["%AUTHORIZED%", AUTH, [0, 1]],
    ["%^\\[ERROR%", AUTH, [0]],
    ["%REQUEST$%", AUTH, [0, 1]],
    ["%[0-9]{3}%", AUTH, [0, 1]],
    ["%UN|INFO%", AUTH, [0, 2]],
    ["%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%", ["from 10.0.0.1 ok", "from 10.0 no"], [0]],
    ["%10\\.10\\.0\\.1%", ["10.10.0.1", "10a10b0c1"], [0]],
    ["%[Ee]rror|[Ff]ail%", ["Error x", "error y", "fail z", "FAIL"], [0, 1, 2]],
    ["%^[hc]at%", ["hat trick", "cat", "that"], [0, 1]],
    ["%[hc]at$%", ["the hat", "cats"], [0]],
    ["%colou?r%", ["color", "colour", "colr"], [0, 1]],
    ["%a{3,5}%", ["aa", "aaa", "baaaaab"], [1, 2]],
    ["%gray|grey%", ["gray", "grey", "gry"], [0, 1]],
    ["%ab*c%", ["ac", "abbbc", "abd"], [0, 1]],
    ["%ab+c%", ["ac", "abc"], [1]],
    ["%a.c%", ["abc", "ac"], [0]],
    ["%\\s404\\s%", ["got 404 here", "got404"], [0]],
    ["{ $.errorCode = %^Access% }", [TRAIL, "{}"], [0]],
    ["{ $.errorCode != %Denied% }", [TRAIL], []],
  ])("%s on %j matches %j", (pattern, lines, expected) => {
    const m = parseFilterPattern(pattern);
    expect(lines.flatMap((l, i) => (m(l) ? [i] : []))).toEqual(expected);
  });

  it("matches in time linear in the message, whatever the pattern", () => {
    const m = parseFilterPattern("%a*a*a*a*a*a*a*a*b%");
    expect(m("a".repeat(100_000))).toBe(false);
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
    "[ip, user",
    "[ip, ip]",
    "[ip = ]",
    "[ip, user = 1 && other = 2]",
    "[ip > abc]",
    "[..., a, ..., b, ...]",
    "[1ip]",
    "[ip, ..., status_code = (404 || 500), bytes]",
    "[ip] trailing",
    "%something!%",
    "%(a)%",
    "%ERROR 401%",
    "%é%",
    "%unterminated",
    "%a% b",
    "%%",
    "%x{2000}%",
    "%a**%",
    "[a = %x%, b = %y%, c = %z%]",
    "{ $.a = %x% && $.b = %y% && $.c = %z% }",
    "ERROR -",
    "x".repeat(1025),
  ])("%j is refused", (pattern) => {
    expect(() => parseFilterPattern(pattern)).toThrow(FilterPatternError);
  });
});
