import { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { functionDeadLetterMessage } from "../sqs/dead-letters.js";
import { deadLetterTargetOf } from "./dead-letter-input.js";

const ACCOUNT = "000000000001";
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:dlq-topic`;
const refs = {
  queues: { fault: async (_a: string, arn: string) => (arn === QUEUE ? undefined : `The queue ${arn} does not exist`) },
  topics: { fault: async (_a: string, arn: string) => (arn === TOPIC ? undefined : `The topic ${arn} does not exist`) },
};

async function refusal(body: unknown): Promise<string> {
  const err = await deadLetterTargetOf(ACCOUNT, body, refs).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StratusError);
  expect((err as StratusError).code).toBe("InvalidParameterValueException");
  return (err as StratusError).message;
}

describe("DeadLetterConfig input", () => {
  it("takes an existing queue or topic of the account, and an empty TargetArn as none", async () => {
    expect(await deadLetterTargetOf(ACCOUNT, { DeadLetterConfig: { TargetArn: QUEUE } }, refs)).toBe(QUEUE);
    expect(await deadLetterTargetOf(ACCOUNT, { DeadLetterConfig: { TargetArn: TOPIC } }, refs)).toBe(TOPIC);
    expect(await deadLetterTargetOf(ACCOUNT, { DeadLetterConfig: { TargetArn: "" } }, refs)).toBe("");
    expect(await deadLetterTargetOf(ACCOUNT, { DeadLetterConfig: {} }, refs)).toBe("");
    expect(await deadLetterTargetOf(ACCOUNT, { Timeout: 3 }, refs)).toBeUndefined();
  });

  it("refuses other services, non-ARNs, missing queues and topics, and odd shapes", async () => {
    expect(await refusal({ DeadLetterConfig: { TargetArn: `${TOPIC}-x` } })).toMatch(/topic .* does not exist/);
    expect(await refusal({ DeadLetterConfig: { TargetArn: `arn:aws:s3:::bucket` } })).toMatch(
      /not an SQS queue or SNS topic ARN/,
    );
    expect(await refusal({ DeadLetterConfig: { TargetArn: "dlq" } })).toMatch(/Invalid dead letter queue ARN/);
    expect(await refusal({ DeadLetterConfig: { TargetArn: `${QUEUE}-x` } })).toMatch(/does not exist/);
    expect(await refusal({ DeadLetterConfig: { TargetArn: 7 } })).toMatch(/TargetArn/);
    expect(await refusal({ DeadLetterConfig: { Target: QUEUE } })).toMatch(/unknown field Target/);
    expect(await refusal({ DeadLetterConfig: "x" })).toMatch(/DeadLetterConfig/);
  });

  it("writes Lambda's dead letter: the event as the body, RequestID, ErrorCode, ErrorMessage", () => {
    const m = functionDeadLetterMessage(ACCOUNT, QUEUE, "req-1", Buffer.from('{"a":1}'), { errorMessage: "boom" }, 200);
    expect(m).toMatchObject({
      queueName: "dlq",
      body: '{"a":1}',
      attributes: {
        RequestID: { DataType: "String", StringValue: "req-1" },
        ErrorCode: { DataType: "Number", StringValue: "200" },
        ErrorMessage: { DataType: "String", StringValue: "boom" },
      },
    });
    expect(m?.md5Attributes).toMatch(/^[0-9a-f]{32}$/);
    // Another account's queue is never written.
    expect(functionDeadLetterMessage("000000000002", QUEUE, "r", Buffer.from("{}"), {}, 500)).toBeUndefined();
  });
});
