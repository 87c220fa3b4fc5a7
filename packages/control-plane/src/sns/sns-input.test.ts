import { describe, expect, it } from "vitest";
import { messageAttributes, onlyKnown, stringMap, tagList } from "./sns-input.js";

describe("SNS's query maps and lists", () => {
  it("reads an attribute map's numbered entries", () => {
    const b = { Attributes: { entry: { "2": { key: "B", value: "2" }, "1": { key: "A", value: "1" } } } };
    expect(stringMap(b, "Attributes")).toEqual({ A: "1", B: "2" });
    expect(stringMap({}, "Attributes")).toEqual({});
    expect(() => stringMap({ Attributes: "x" }, "Attributes")).toThrow(/must be a map/);
  });

  it("reads tags, and refuses an unknown parameter by name", () => {
    expect(tagList({ Tags: [{ Key: "a", Value: "1" }, { Key: "b" }] })).toEqual({ a: "1", b: "" });
    expect(() => tagList({ Tags: [{ Value: "1" }] })).toThrow(/a tag has no Key/);
    expect(() => onlyKnown({ TopicArn: "x", Bogus: "1" }, ["TopicArn"])).toThrow(/Bogus is not supported by Stratus/);
  });
});

describe("message attributes", () => {
  const attrs = (entries: Record<string, unknown>) => ({ MessageAttributes: { entry: entries } });

  it("keeps each type's value", () => {
    const out = messageAttributes(
      attrs({
        "1": { Name: "s", Value: { DataType: "String", StringValue: "x" } },
        "2": { Name: "n", Value: { DataType: "Number", StringValue: "-1.5e3" } },
        "3": { Name: "a", Value: { DataType: "String.Array", StringValue: '["x", 1, true, null]' } },
        "4": { Name: "b", Value: { DataType: "Binary", BinaryValue: "AAE=" } },
        "5": { Name: "c", Value: { DataType: "String.custom", StringValue: "y" } },
      }),
    );
    expect(Object.keys(out)).toEqual(["s", "n", "a", "b", "c"]);
    expect(out.b).toEqual({ DataType: "Binary", BinaryValue: "AAE=" });
  });

  it("refuses bad names, types and values", () => {
    const one = (Name: string, Value: unknown) => () => messageAttributes(attrs({ "1": { Name, Value } }));
    expect(one("AWS.x", { DataType: "String", StringValue: "v" })).toThrow(/reserved/);
    expect(one("a..b", { DataType: "String", StringValue: "v" })).toThrow(/invalid name/);
    expect(one("n", { DataType: "Number", StringValue: "ten" })).toThrow(/is not a number/);
    expect(one("a", { DataType: "String.Array", StringValue: '[{"x":1}]' })).toThrow(/JSON array/);
    expect(one("t", { DataType: "Date", StringValue: "v" })).toThrow(/DataType/);
    expect(one("e", { DataType: "String", StringValue: "" })).toThrow(/StringValue/);
  });
});
