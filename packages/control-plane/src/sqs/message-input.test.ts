import { describe, expect, it } from "vitest";
import { messageSize, newMessage } from "./message-input.js";
import { applyAttributes, attributeStrings, DEFAULT_SETTINGS } from "./queue-attributes.js";
import { queueFromUrl, queueName } from "./queue-names.js";
import { parseReceiptHandle, receiptHandle } from "./receipt-handle.js";

const MAX = 262_144;

describe("newMessage", () => {
  it("digests body and attributes", () => {
    const m = newMessage(
      { MessageBody: "hello", MessageAttributes: { a: { DataType: "String", StringValue: "x" } } },
      MAX,
    );
    expect(m.md5Body).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(m.md5Attributes).toMatch(/^[0-9a-f]{32}$/);
  });
  it.each([
    ["an empty body", { MessageBody: "" }, "InvalidParameterValue"],
    ["a control character", { MessageBody: "a\u0000b" }, "InvalidMessageContents"],
    ["a lone surrogate", { MessageBody: "a\uD800b" }, "InvalidMessageContents"],
    ["a body past the size", { MessageBody: "x".repeat(MAX + 1) }, "InvalidParameterValue"],
    [
      "a reserved attribute name",
      { MessageBody: "x", MessageAttributes: { "AWS.x": { DataType: "String", StringValue: "v" } } },
      "InvalidParameterValue",
    ],
    [
      "an unknown data type",
      { MessageBody: "x", MessageAttributes: { a: { DataType: "Float", StringValue: "1" } } },
      "InvalidParameterValue",
    ],
    [
      "a number that is not one",
      { MessageBody: "x", MessageAttributes: { a: { DataType: "Number", StringValue: "x1" } } },
      "InvalidParameterValue",
    ],
    ["a FIFO parameter", { MessageBody: "x", MessageGroupId: "g" }, "InvalidParameterValue"],
    ["a delay past 900", { MessageBody: "x", DelaySeconds: 901 }, "InvalidParameterValue"],
  ])("refuses %s", (_label, entry, code) => {
    expect(() => newMessage(entry, MAX)).toThrow(expect.objectContaining({ code }));
  });
  it("counts attributes against the size", () => {
    expect(messageSize("ab", { k: { DataType: "String", StringValue: "vv" } })).toBe(2 + 1 + 6 + 2);
  });
});

describe("queue attributes", () => {
  it("reads values in range and keeps the rest", () => {
    expect(applyAttributes(DEFAULT_SETTINGS, { VisibilityTimeout: "5" })).toEqual({
      ...DEFAULT_SETTINGS,
      visibilityTimeout: 5,
    });
  });
  it.each([
    [{ VisibilityTimeout: "43201" }, "InvalidAttributeValue"],
    [{ MessageRetentionPeriod: "59" }, "InvalidAttributeValue"],
    [{ Nope: "1" }, "InvalidAttributeName"],
    [{ FifoQueue: "true" }, "InvalidAttributeName"],
    [{ RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:r:1:q","maxReceiveCount":0}' }, "InvalidAttributeValue"],
    [{ RedrivePolicy: "{nope" }, "InvalidAttributeValue"],
    [{ Policy: "{nope" }, "InvalidAttributeValue"],
    [
      { Policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sqs:SendMessage" }] }) },
      "InvalidAttributeValue",
    ],
    [
      { Policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }] }) },
      "InvalidAttributeValue",
    ],
    [
      { Policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "sqs:*" }] }) },
      "InvalidAttributeName",
    ],
    [{ Policy: "x".repeat(20_481) }, "InvalidAttributeValue"],
  ])("refuses %j", (attrs, code) => {
    expect(() => applyAttributes(DEFAULT_SETTINGS, attrs)).toThrow(expect.objectContaining({ code }));
  });
  it("answers a redrive policy in SQS's key order, whatever order it was stored in", () => {
    const stored = {
      ...DEFAULT_SETTINGS,
      redrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: "arn:aws:sqs:r:1:d" },
    };
    expect(attributeStrings(stored).RedrivePolicy).toBe(
      '{"deadLetterTargetArn":"arn:aws:sqs:r:1:d","maxReceiveCount":3}',
    );
  });
  it("keeps an access policy as given, and drops it when set empty", () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "events",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: "arn:aws:sqs:us-east-1:123456789012:q",
          Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r" } },
        },
      ],
    });
    const set = applyAttributes(DEFAULT_SETTINGS, { Policy: policy });
    expect(set.policy).toBe(policy);
    expect(applyAttributes(set, { Policy: "" })).toEqual(DEFAULT_SETTINGS);
  });
});

describe("queue names and receipt handles", () => {
  it("refuses a .fifo name for a standard queue, and another account's URL", () => {
    expect(() => queueName("jobs.fifo")).toThrow(/FIFO/);
    expect(queueFromUrl("http://h:9000/123456789012/jobs", "123456789012")).toBe("jobs");
    expect(() => queueFromUrl("http://h:9000/999999999999/jobs", "123456789012")).toThrow(
      expect.objectContaining({ code: "QueueDoesNotExist" }),
    );
  });
  it("round-trips a handle only for its queue", () => {
    const r = {
      queueId: "7",
      messageId: "6f1c2a3e-0000-4000-8000-000000000001",
      token: "6f1c2a3e-0000-4000-8000-000000000002",
    };
    expect(parseReceiptHandle(receiptHandle(r), "7")).toEqual(r);
    expect(() => parseReceiptHandle(receiptHandle(r), "8")).toThrow(
      expect.objectContaining({ code: "ReceiptHandleIsInvalid" }),
    );
    expect(() => parseReceiptHandle("garbage", "7")).toThrow(
      expect.objectContaining({ code: "ReceiptHandleIsInvalid" }),
    );
  });
});
