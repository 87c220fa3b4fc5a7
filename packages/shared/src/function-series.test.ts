import { describe, expect, it } from "vitest";
import { createFunctionSeriesCap, OTHER_FUNCTION, resourceOf, resourceOfArn } from "./function-series.js";

const A = "111111111111";
const B = "222222222222";

describe("createFunctionSeriesCap", () => {
  it("admits label sets up to the limit, then folds new functions into __other__ and says so", () => {
    let folds = 0;
    const cap = createFunctionSeriesCap(2, () => {
      folds += 1;
    });
    expect(cap.labels(A, "f1", "f1")).toEqual({ account: A, function: "f1", resource: "f1" });
    expect(cap.labels(A, "f1", "f1:prod")).toEqual({ account: A, function: "f1", resource: "f1:prod" });
    expect(cap.labels(A, "f2", "f2")).toEqual({ account: A, function: OTHER_FUNCTION, resource: OTHER_FUNCTION });
    expect(cap.labels(B, "f3", "f3")).toEqual({ account: B, function: OTHER_FUNCTION, resource: OTHER_FUNCTION });
    expect(folds).toBe(2);
    expect(cap.admitted()).toBe(2);
  });

  it("keeps reporting admitted label sets under their own names once the cap is full", () => {
    const cap = createFunctionSeriesCap(1);
    cap.labels(A, "f1", "f1");
    cap.labels(A, "f2", "f2");
    expect(cap.labels(A, "f1", "f1")).toEqual({ account: A, function: "f1", resource: "f1" });
    expect(cap.admitted()).toBe(1);
  });

  it("tells the same function in two accounts apart", () => {
    const cap = createFunctionSeriesCap(2);
    cap.labels(A, "f", "f");
    expect(cap.labels(B, "f", "f")).toEqual({ account: B, function: "f", resource: "f" });
    expect(cap.admitted()).toBe(2);
  });

  it("folds every function with a limit of 0", () => {
    let folds = 0;
    const cap = createFunctionSeriesCap(0, () => {
      folds += 1;
    });
    expect(cap.labels(A, "f", "f").function).toBe(OTHER_FUNCTION);
    expect(folds).toBe(1);
    expect(cap.admitted()).toBe(0);
  });

  it("never holds more than its limit however many functions come", () => {
    const cap = createFunctionSeriesCap(100);
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) seen.add(JSON.stringify(cap.labels(A, `f${i}`, `f${i}`)));
    expect(cap.admitted()).toBe(100);
    expect(seen.size).toBe(101);
  });
});

describe("Resource", () => {
  it.each([
    ["f", undefined, "f"],
    ["f", "prod", "f:prod"],
    ["f", "$LATEST", "f:$LATEST"],
    ["f", "3", "f:3"],
  ])("%s qualified by %s is %s", (name, qualifier, resource) => {
    expect(resourceOf(name, qualifier)).toBe(resource);
  });

  it.each([
    ["arn:aws:lambda:us-east-1:111111111111:function:f", "f"],
    ["arn:aws:lambda:us-east-1:111111111111:function:f:prod", "f:prod"],
    ["arn:aws:lambda:us-east-1:111111111111:function:f:$LATEST", "f:$LATEST"],
  ])("of the ARN %s is %s", (arn, resource) => {
    expect(resourceOfArn(arn)).toBe(resource);
  });
});
