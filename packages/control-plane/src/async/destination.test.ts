import { describe, expect, it } from "vitest";
import { destinationFunction, destinationRecord, isTopicArnOf } from "./destination.js";

describe("destinationRecord", () => {
  it("has Lambda's shape", () => {
    const record = JSON.parse(
      destinationRecord({
        requestId: "r1",
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
        condition: "RetriesExhausted",
        approximateInvokeCount: 4,
        requestPayload: Buffer.from('{"a":1}'),
        executedVersion: "$LATEST",
        functionError: "Unhandled",
        responsePayload: Buffer.from('{"errorMessage":"boom","errorType":"Error"}'),
        now: new Date("2026-01-01T00:00:00Z"),
      }).toString(),
    );
    expect(record).toEqual({
      version: "1.0",
      timestamp: "2026-01-01T00:00:00.000Z",
      requestContext: {
        requestId: "r1",
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
        condition: "RetriesExhausted",
        approximateInvokeCount: 4,
      },
      requestPayload: { a: 1 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorMessage: "boom", errorType: "Error" },
    });
  });
});

describe("destinationFunction", () => {
  it.each([
    ["arn:aws:lambda:us-east-1:123456789012:function:dlq", { name: "dlq" }],
    ["arn:aws:lambda:us-east-1:123456789012:function:dlq:live", { name: "dlq", qualifier: "live" }],
    ["arn:aws:lambda:us-east-1:999999999999:function:dlq", undefined],
    ["arn:aws:sqs:us-east-1:123456789012:queue", undefined],
  ])("%s", (arn, expected) => {
    expect(destinationFunction(arn, "123456789012")).toEqual(expected);
  });
});

describe("isTopicArnOf", () => {
  it.each([
    ["arn:aws:sns:us-east-1:123456789012:results", true],
    ["arn:aws:sns:eu-west-1:123456789012:results", true],
    ["arn:aws:sns:us-east-1:999999999999:results", false],
    ["arn:aws:sns:us-east-1:123456789012:results:0b6d2a4e-5b0a-4f7e-9a41-2f0d1c3e4b5a", false],
    ["arn:aws:sqs:us-east-1:123456789012:results", false],
  ])("%s", (arn, expected) => {
    expect(isTopicArnOf(arn, "123456789012")).toBe(expected);
  });
});
