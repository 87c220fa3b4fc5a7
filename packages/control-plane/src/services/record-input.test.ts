// A "__proto__" key in a map of API input is kept and checked like any other key,
// never dropped and never a prototype.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkEnvironment, parseInput } from "./function-input.js";
import { recordOf } from "./record-input.js";
import { CreateAliasSchema, TagsSchema, UpdateConfigurationSchema } from "./update-input.js";

const sent = (text: string): unknown => JSON.parse(text);

describe("recordOf", () => {
  it("keeps a __proto__ key as an own property, beside the others, and sets no prototype", () => {
    const out = recordOf(z.string()).parse(sent('{"a":"1","__proto__":"2"}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toBe("2");
    expect(JSON.parse(JSON.stringify(out))).toEqual(sent('{"a":"1","__proto__":"2"}'));
  });

  it.each([
    ["its value", recordOf(z.string()), '{"__proto__":{"polluted":true}}', "Expected string, received object"],
    [
      "its key",
      recordOf(z.number(), z.string().regex(/^\d+$/, "keys are digits")),
      '{"__proto__":1}',
      "keys are digits",
    ],
  ])("checks %s like any other", (_what, schema, text, message) => {
    const parsed = schema.safeParse(sent(text));
    expect(parsed.error?.issues).toMatchObject([{ path: ["__proto__"], message }]);
  });

  it("refuses what is not an object as z.record does", () => {
    expect(recordOf(z.string()).safeParse("x").error?.issues).toMatchObject([
      { message: "Expected object, received string" },
    ]);
  });
});

describe("a __proto__ key in the operations' input", () => {
  it("is an invalid environment variable name", () => {
    const { Environment } = parseInput(
      UpdateConfigurationSchema,
      sent('{"Environment":{"Variables":{"__proto__":"x"}}}'),
    );
    expect(() => checkEnvironment(Environment?.Variables ?? {})).toThrow(
      'Environment variable name "__proto__" is invalid',
    );
  });

  it("is a tag key like any other", () => {
    const { Tags } = parseInput(TagsSchema, sent('{"Tags":{"__proto__":"v","team":"a"}}'));
    expect(Object.entries(Tags)).toEqual([
      ["team", "a"],
      ["__proto__", "v"],
    ]);
  });

  it("is not a version an alias may route to", () => {
    const body = sent(
      '{"Name":"live","FunctionVersion":"1","RoutingConfig":{"AdditionalVersionWeights":{"__proto__":0.5}}}',
    );
    expect(() => parseInput(CreateAliasSchema, body)).toThrow(
      "Invalid value for RoutingConfig.AdditionalVersionWeights.__proto__: AdditionalVersionWeights keys must be published version numbers",
    );
  });
});
