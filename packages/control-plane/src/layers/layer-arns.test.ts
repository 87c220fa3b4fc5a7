import type { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { layerArn, layerVersionArn, parseLayerName, parseLayerVersionArn, parseVersionNumber } from "./layer-arns.js";

const ME = "123456789012";
const REGION = "us-east-1";

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as StratusError).code;
  }
  return undefined;
};

describe("layer ARNs", () => {
  it.each<[string, { accountId: string; name: string }]>([
    ["my-layer_1", { accountId: ME, name: "my-layer_1" }],
    [`arn:aws:lambda:${REGION}:${ME}:layer:mine`, { accountId: ME, name: "mine" }],
    [`arn:aws:lambda:${REGION}:210987654321:layer:theirs`, { accountId: "210987654321", name: "theirs" }],
  ])("LayerName %s", (raw, ref) => {
    expect(parseLayerName(raw, ME, REGION)).toEqual(ref);
  });

  it.each([
    "",
    "a b",
    "../x",
    "x".repeat(65),
    `arn:aws:lambda:${REGION}:${ME}:layer:mine:1`,
    `arn:aws:lambda:${REGION}:${ME}:function:f`,
    `arn:aws:lambda:eu-west-1:${ME}:layer:elsewhere`,
  ])("refuses LayerName %j", (raw) => {
    expect(code(() => parseLayerName(raw, ME, REGION))).toBe("InvalidParameterValueException");
  });

  it.each<[string, { accountId: string; name: string; version: number } | undefined]>([
    [`arn:aws:lambda:${REGION}:${ME}:layer:l:1`, { accountId: ME, name: "l", version: 1 }],
    [`arn:aws:lambda:${REGION}:210987654321:layer:l-2:42`, { accountId: "210987654321", name: "l-2", version: 42 }],
    [`arn:aws:lambda:${REGION}:${ME}:layer:l`, undefined],
    [`arn:aws:lambda:${REGION}:${ME}:layer:l:0`, undefined],
    [`arn:aws:lambda:${REGION}:${ME}:layer:l:$LATEST`, undefined],
    ["l:1", undefined],
    [`arn:aws:lambda:${REGION}:${ME}:function:l:1`, undefined],
  ])("layer version ARN %s", (raw, ref) => {
    expect(parseLayerVersionArn(raw, REGION)).toEqual(ref);
  });

  it("refuses a layer version ARN of another region", () => {
    expect(code(() => parseLayerVersionArn(`arn:aws:lambda:eu-west-1:${ME}:layer:l:1`, REGION))).toBe(
      "InvalidParameterValueException",
    );
  });

  it("writes ARNs as Lambda does", () => {
    expect(layerArn(REGION, { accountId: ME, name: "l" })).toBe(`arn:aws:lambda:${REGION}:${ME}:layer:l`);
    expect(layerVersionArn(REGION, { accountId: ME, name: "l", version: 3 })).toBe(
      `arn:aws:lambda:${REGION}:${ME}:layer:l:3`,
    );
  });

  it.each(["0", "-1", "1.5", "x", "", "12345678901"])("refuses version number %j", (raw) => {
    expect(code(() => parseVersionNumber(raw))).toBe("InvalidParameterValueException");
  });
});
