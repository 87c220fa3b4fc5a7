// Event patterns against the examples of EventBridge's documentation (content
// filtering: each operator, $or, arrays, nesting) and the patterns it refuses.
import { describe, expect, it } from "vitest";
import { PatternError, parsePattern } from "./pattern-check.js";
import { matches } from "./pattern-match.js";

const EC2 = {
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "123456789012",
  time: "2015-11-11T21:29:54Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  detail: {
    "instance-id": "i-0123456789",
    state: "RUNNING",
    "c-count": 5,
    "d-count": 0,
    "x-limit": 3.018e2,
    "source-ip": "10.0.0.123",
    location: null,
    tags: ["blue", "prod"],
    items: [
      { name: "a", qty: 1 },
      { name: "b", qty: 7 },
    ],
    nested: { deeper: { flag: true } },
  },
};

const test = (pattern: unknown, event: Record<string, unknown> = EC2) =>
  matches(parsePattern(JSON.stringify(pattern)), event);

describe("event patterns: matching", () => {
  it.each([
    ["exact string", { source: ["aws.ec2"] }, true],
    ["exact, one of several", { source: ["aws.s3", "aws.ec2"] }, true],
    ["exact, none", { source: ["aws.s3"] }, false],
    ["case matters", { source: ["AWS.EC2"] }, false],
    ["a number", { detail: { "c-count": [5] } }, true],
    ["a string is not a number", { detail: { "c-count": ["5"] } }, false],
    ["null", { detail: { location: [null] } }, true],
    ["a boolean, deeply nested", { detail: { nested: { deeper: { flag: [true] } } } }, true],
    ["two fields, both must match", { source: ["aws.ec2"], "detail-type": ["nope"] }, false],
    ["a missing field", { detail: { missing: ["x"] } }, false],
    ["prefix", { detail: { "instance-id": [{ prefix: "i-01" }] } }, true],
    ["prefix, not", { detail: { "instance-id": [{ prefix: "i-99" }] } }, false],
    ["prefix, ignoring case", { detail: { state: [{ prefix: { "equals-ignore-case": "run" } }] } }, true],
    ["suffix", { detail: { "instance-id": [{ suffix: "789" }] } }, true],
    ["suffix, ignoring case", { detail: { state: [{ suffix: { "equals-ignore-case": "NING" } }] } }, true],
    ["equals-ignore-case", { detail: { state: [{ "equals-ignore-case": "running" }] } }, true],
    ["anything-but a string", { detail: { state: [{ "anything-but": "STOPPED" }] } }, true],
    ["anything-but the value", { detail: { state: [{ "anything-but": "RUNNING" }] } }, false],
    ["anything-but a list", { detail: { state: [{ "anything-but": ["STOPPED", "RUNNING"] }] } }, false],
    ["anything-but a number", { detail: { "c-count": [{ "anything-but": 0 }] } }, true],
    ["anything-but a prefix", { detail: { state: [{ "anything-but": { prefix: "RUN" } }] } }, false],
    ["anything-but a suffix", { detail: { state: [{ "anything-but": { suffix: "ED" } }] } }, true],
    [
      "anything-but ignoring case",
      { detail: { state: [{ "anything-but": { "equals-ignore-case": ["running"] } }] } },
      false,
    ],
    ["anything-but a wildcard", { detail: { state: [{ "anything-but": { wildcard: "R*G" } }] } }, false],
    ["anything-but on a missing field", { detail: { missing: [{ "anything-but": "x" }] } }, false],
    ["numeric range", { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }, true],
    ["numeric range, outside", { detail: { "c-count": [{ numeric: [">", 5] }] } }, false],
    ["numeric equality", { detail: { "x-limit": [{ numeric: ["=", 301.8] }] } }, true],
    ["numeric on a string", { detail: { state: [{ numeric: [">", 0] }] } }, false],
    ["exists", { detail: { state: [{ exists: true }] } }, true],
    ["exists on a missing field", { detail: { missing: [{ exists: true }] } }, false],
    ["exists false on a missing field", { detail: { missing: [{ exists: false }] } }, true],
    ["exists false on a present field", { detail: { state: [{ exists: false }] } }, false],
    ["exists true on an object (not a leaf)", { detail: { nested: [{ exists: true }] } }, false],
    ["wildcard", { detail: { "instance-id": [{ wildcard: "i-*89" }] } }, true],
    ["wildcard, not", { detail: { "instance-id": [{ wildcard: "i-*00" }] } }, false],
    ["wildcard, an escaped star", { detail: { state: [{ wildcard: "RUN\\*" }] } }, false],
    ["cidr", { detail: { "source-ip": [{ cidr: "10.0.0.0/24" }] } }, true],
    ["cidr, outside", { detail: { "source-ip": [{ cidr: "10.0.1.0/24" }] } }, false],
    ["an array: any element", { detail: { tags: ["prod"] } }, true],
    ["an array: no element", { detail: { tags: ["dev"] } }, false],
    ["an array: resources", { resources: [{ prefix: "arn:aws:ec2:" }] }, true],
    ["an array of objects: any", { detail: { items: { qty: [{ numeric: [">", 5] }] } } }, true],
    ["an array of objects: none", { detail: { items: { qty: [{ numeric: [">", 50] }] } } }, false],
    ["$or: one branch", { $or: [{ source: ["aws.s3"] }, { detail: { state: ["RUNNING"] } }] }, true],
    ["$or: no branch", { $or: [{ source: ["aws.s3"] }, { detail: { state: ["STOPPED"] } }] }, false],
    [
      "$or nested beside a field",
      {
        source: ["aws.ec2"],
        detail: { $or: [{ "c-count": [{ numeric: [">", 0] }] }, { "d-count": [{ numeric: [">", 0] }] }] },
      },
      true,
    ],
    ["a condition among several", { detail: { state: [{ prefix: "STOP" }, "RUNNING"] } }, true],
  ])("%s", (_what, pattern, expected) => {
    expect(test(pattern)).toBe(expected);
  });
});

describe("event patterns: refused", () => {
  it.each([
    ["not JSON", "{source: aws.ec2}", /not valid JSON/],
    ["not an object", '["aws.ec2"]', /JSON object/],
    ["an empty object", "{}", /Empty pattern/],
    ["a scalar leaf", '{"source": "aws.ec2"}', /array or an object/],
    ["an empty array", '{"source": []}', /Empty arrays/],
    ["an unknown operator", '{"source": [{"regex": "a.*"}]}', /Unrecognized match type regex/],
    ["two operators in one", '{"source": [{"prefix": "a", "suffix": "b"}]}', /exactly one operator/],
    ["a prefix of a number", '{"source": [{"prefix": 5}]}', /prefix/],
    ["a numeric without a number", '{"n": [{"numeric": [">", "5"]}]}', /numbers/],
    ["an unknown numeric operator", '{"n": [{"numeric": ["!=", 5]}]}', /numeric range operator/],
    ["a numeric range of two lower bounds", '{"n": [{"numeric": [">", 1, ">=", 5]}]}', /range/],
    ["exists of a string", '{"n": [{"exists": "yes"}]}', /exists/],
    ["consecutive wildcards", '{"n": [{"wildcard": "a**b"}]}', /Consecutive/],
    ["a bad cidr", '{"ip": [{"cidr": "10.0.0.0/33"}]}', /CIDR/],
    ["$or with one branch", '{"$or": [{"a": ["b"]}]}', /\$or/],
    ["an anything-but of an object list", '{"a": [{"anything-but": [{"x": 1}]}]}', /anything-but/],
  ])("%s", (_what, text, message) => {
    expect(() => parsePattern(text)).toThrow(PatternError);
    expect(() => parsePattern(text)).toThrow(message);
  });
});
