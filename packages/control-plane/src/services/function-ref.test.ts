import { describe, expect, it } from "vitest";
import { parseFunctionName, parseFunctionRef } from "./function-ref.js";

const ME = "123456789012";

describe("parseFunctionRef", () => {
  it.each([
    ["my-fn", undefined, { name: "my-fn" }],
    ["my-fn:prod", undefined, { name: "my-fn", qualifier: "prod" }],
    ["my-fn:$LATEST", undefined, { name: "my-fn", qualifier: "$LATEST" }],
    ["my-fn", "3", { name: "my-fn", qualifier: "3" }],
    [`${ME}:function:my-fn`, undefined, { name: "my-fn" }],
    [`${ME}:function:my-fn:7`, undefined, { name: "my-fn", qualifier: "7" }],
    [`arn:aws:lambda:us-east-1:${ME}:function:my-fn`, undefined, { name: "my-fn" }],
    [`arn:aws:lambda:eu-west-1:${ME}:function:my-fn:live`, "live", { name: "my-fn", qualifier: "live" }],
  ])("parses %s (Qualifier=%s)", (raw, q, expected) => {
    expect(parseFunctionRef(raw, ME, q)).toEqual(expected);
  });

  it.each([["../a"], ["a b"], [""], ["x".repeat(65)], ["a:b:c"], ["arn:aws:lambda:us-east-1:12:function:f"]])(
    "refuses %s as InvalidParameterValueException",
    (raw) => {
      expect(() => parseFunctionRef(raw, ME)).toThrow(
        expect.objectContaining({ code: "InvalidParameterValueException" }),
      );
    },
  );

  it("hides another account's function as not found", () => {
    expect(() => parseFunctionRef("999999999999:function:f", ME)).toThrow(
      expect.objectContaining({ code: "ResourceNotFoundException" }),
    );
  });

  it("refuses a Qualifier that contradicts the name", () => {
    expect(() => parseFunctionRef("f:1", ME, "2")).toThrow(
      expect.objectContaining({ code: "InvalidParameterValueException" }),
    );
  });
});

describe("parseFunctionName", () => {
  it("keeps the account an ARN names, for a caller that may reach it under a policy", () => {
    expect(parseFunctionName("999999999999:function:f:prod")).toEqual({
      account: "999999999999",
      name: "f",
      qualifier: "prod",
    });
    expect(parseFunctionName("arn:aws:lambda:us-east-1:999999999999:function:f", "3")).toEqual({
      account: "999999999999",
      name: "f",
      qualifier: "3",
    });
    expect(parseFunctionName("f")).toEqual({ name: "f" });
  });
});
