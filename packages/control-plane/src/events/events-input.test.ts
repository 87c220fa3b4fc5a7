// EventBridge request checks: targets (input forms, retry bounds, refused fields
// named), bus names and ARNs, schedule expressions, tags; and PutEvents entries
// (AWS's size rule, per-entry error codes, the event made of a good entry).
import { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { busName, checkExpression, checkPattern, tagMap, target } from "./events-input.js";
import { entryEvent, entrySize } from "./put-events.js";

const refusal = (fn: () => unknown): StratusError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof StratusError) return err;
    throw err;
  }
  throw new Error("not refused");
};

const FN = "arn:aws:lambda:us-east-1:123456789012:function:f";

describe("PutTargets targets", () => {
  it("keeps what a target may carry", () => {
    expect(
      target({
        Id: "t-1",
        Arn: FN,
        InputTransformer: { InputPathsMap: { a: "$.detail.a" }, InputTemplate: '{"a": <a>}' },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    ).toEqual({
      Id: "t-1",
      Arn: FN,
      InputTransformer: { InputPathsMap: { a: "$.detail.a" }, InputTemplate: '{"a": <a>}' },
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
    });
  });
  it.each([
    [
      "a dead-letter config with unknown fields",
      { DeadLetterConfig: { Arn: "q", Other: 1 } },
      /DeadLetterConfig\.Other/,
    ],
    ["SQS parameters", { SqsParameters: {} }, /SqsParameters is not supported/],
    ["two input forms", { Input: "{}", InputPath: "$" }, /only one of/],
    ["Input that is not JSON", { Input: "{nope" }, /not valid JSON/],
    ["an InputPath that is not a path", { InputPath: "detail" }, /JSON path/],
    [
      "a reserved variable name",
      { InputTransformer: { InputPathsMap: { "aws.x": "$" }, InputTemplate: "x" } },
      /aws\./,
    ],
    ["an unknown transformer field", { InputTransformer: { InputTemplate: "x", Other: 1 } }, /InputTransformer\.Other/],
    ["too many retries", { RetryPolicy: { MaximumRetryAttempts: 186 } }, /0 to 185/],
    ["too short an event age", { RetryPolicy: { MaximumEventAgeInSeconds: 59 } }, /60 to 86400/],
    ["a bad id", { Id: "a b" }, /Target.Id/],
  ])("refuses %s", (_what, over, message) => {
    const err = refusal(() => target({ Id: "t", Arn: FN, ...over }));
    expect(err.code).toBe("ValidationException");
    expect(err.message).toMatch(message);
  });
});

describe("names and expressions", () => {
  it("takes a bus by name or by the caller's ARN", () => {
    expect(busName(undefined, "123456789012")).toBe("default");
    expect(busName("orders", "123456789012")).toBe("orders");
    expect(busName("arn:aws:events:us-east-1:123456789012:event-bus/orders", "123456789012")).toBe("orders");
    expect(refusal(() => busName("arn:aws:events:us-east-1:999999999999:event-bus/x", "123456789012")).message).toMatch(
      /not of account/,
    );
  });
  it("refuses what EventBridge refuses", () => {
    expect(refusal(() => checkExpression("rate(1 minutes)")).code).toBe("ValidationException");
    expect(refusal(() => checkExpression("at(2030-01-01T00:00:00)")).code).toBe("ValidationException");
    expect(checkExpression("cron(0 9 ? * MON-FRI *)")).toBe("cron(0 9 ? * MON-FRI *)");
    expect(refusal(() => checkPattern('{"a":"b"}')).code).toBe("InvalidEventPatternException");
    expect(tagMap([{ Key: "k", Value: "v" }])).toEqual({ k: "v" });
    expect(refusal(() => tagMap([{ Key: "k", Other: 1 }])).message).toMatch(/Tags.Other/);
  });
});

describe("PutEvents entries", () => {
  const now = new Date("2026-12-04T10:00:00.500Z");
  const make = (e: unknown) => entryEvent(e, "123456789012", "us-east-1", now);

  it("counts an entry's size as AWS does", () => {
    expect(entrySize({ Source: "ab", DetailType: "é", Detail: "{}", Resources: ["xyz"] })).toBe(2 + 2 + 2 + 3);
    expect(entrySize({ Time: 1, Source: "a", DetailType: "b", Detail: "{}" })).toBe(14 + 4);
  });
  it("makes the event of a good entry", () => {
    const made = make({ Source: "shop", DetailType: "Order", Detail: '{"n":1}', Time: 1_700_000_000 });
    expect(made).toMatchObject({
      bus: "default",
      event: {
        version: "0",
        source: "shop",
        "detail-type": "Order",
        account: "123456789012",
        region: "us-east-1",
        time: "2023-11-14T22:13:20Z",
        resources: [],
        detail: { n: 1 },
      },
    });
    expect(make({ Source: "s", DetailType: "d", Detail: "{}" })).toMatchObject({
      event: { time: "2026-12-04T10:00:00Z" },
    });
  });
  it.each([
    ["no Source", { DetailType: "d", Detail: "{}" }, "InvalidArgument"],
    ["no DetailType", { Source: "s", Detail: "{}" }, "InvalidArgument"],
    ["no Detail", { Source: "s", DetailType: "d" }, "InvalidArgument"],
    ["Detail not JSON", { Source: "s", DetailType: "d", Detail: "{" }, "MalformedDetail"],
    ["Detail not an object", { Source: "s", DetailType: "d", Detail: '"x"' }, "MalformedDetail"],
    ["an aws. source", { Source: "aws.ec2", DetailType: "d", Detail: "{}" }, "NotAuthorizedForSourceException"],
    ["a trace header", { Source: "s", DetailType: "d", Detail: "{}", TraceHeader: "x" }, "InvalidArgument"],
    ["resources not strings", { Source: "s", DetailType: "d", Detail: "{}", Resources: [1] }, "InvalidArgument"],
  ])("answers %s with its ErrorCode", (_what, entry, code) => {
    expect(make(entry)).toMatchObject({ ErrorCode: code });
  });
});
