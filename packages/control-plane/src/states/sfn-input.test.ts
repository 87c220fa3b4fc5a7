// Step Functions request checks and the mapping of an async invocation's end to a
// task's outcome: names and ARNs refused as Step Functions refuses them, and errors
// named as a Task sees them (a function's own errorType, Lambda.* for the platform's).
import { describe, expect, it } from "vitest";
import { checkName, parseArn, tagsOf } from "./sfn-input.js";
import { taskOutcome } from "./start-states.js";
import { functionRef } from "./task-effects.js";

describe("Step Functions input", () => {
  it("accepts names Step Functions accepts and refuses the rest with InvalidName", () => {
    expect(checkName("order-42_ok.v1", "execution")).toBe("order-42_ok.v1");
    for (const bad of ["", "a b", "a/b", "a:b", "x".repeat(81), "a*", "tab\there"])
      expect(() => checkName(bad, "execution")).toThrow(expect.objectContaining({ code: "InvalidName" }));
  });

  it("parses machine and execution ARNs and refuses one of the wrong kind with InvalidArn", () => {
    expect(parseArn("arn:aws:states:us-east-1:123456789012:stateMachine:m", "stateMachine")).toEqual({
      region: "us-east-1",
      account: "123456789012",
      machine: "m",
    });
    expect(parseArn("arn:aws:states:us-east-1:123456789012:execution:m:e", "execution").execution).toBe("e");
    expect(() => parseArn("arn:aws:states:us-east-1:123456789012:stateMachine:m", "execution")).toThrow(
      expect.objectContaining({ code: "InvalidArn" }),
    );
    expect(() => parseArn("nope", "stateMachine")).toThrow(expect.objectContaining({ code: "InvalidArn" }));
  });

  it("reads [{key, value}] tags and refuses anything else by name", () => {
    expect(tagsOf({ tags: [{ key: "a", value: "1" }] }, "tags")).toEqual({ a: "1" });
    expect(() => tagsOf({ tags: { a: "1" } }, "tags")).toThrow(/'tags'/);
  });

  it("finds a task's function by ARN of the account only, or by name", () => {
    expect(functionRef("arn:aws:lambda:us-east-1:123456789012:function:f:live", "123456789012")).toEqual({
      name: "f",
      qualifier: "live",
    });
    expect(functionRef("arn:aws:lambda:us-east-1:999999999999:function:f", "123456789012")).toBeUndefined();
    expect(functionRef("f", "123456789012")).toEqual({ name: "f" });
  });
});

describe("task outcomes from the async path", () => {
  it("names a function's error by its errorType and the platform's as Lambda.*", () => {
    expect(taskOutcome({ ok: true, payload: Buffer.from('{"a":1}') })).toEqual({ ok: true, value: { a: 1 } });
    const fnError = taskOutcome({ ok: false, functionError: true, errorType: "CustomError", errorMessage: "boom" });
    expect(fnError).toMatchObject({ ok: false, error: "CustomError" });
    const gone = taskOutcome({
      ok: false,
      functionError: false,
      errorType: "ResourceNotFoundException",
      errorMessage: "gone",
    });
    expect(gone).toEqual({ ok: false, error: "Lambda.ResourceNotFoundException", cause: "gone" });
  });
});
