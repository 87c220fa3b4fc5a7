// sns:publish tasks' parameters, checked as Publish checks them: a JSON Message is sent
// as its text, attributes come as Step Functions writes them, MessageStructure json is
// kept for the relay; PhoneNumber and FIFO parameters are refused by name, and a
// topic that does not exist fails the task as SNS.NotFoundException.
import { describe, expect, it } from "vitest";
import { createTaskPublishes, taskError } from "./task-publish.js";

const ACCOUNT = "123456789012";
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:orders`;
const ID = "00000000-0000-4000-8000-000000000001";
const publishes = createTaskPublishes({
  fault: async (_account, arn) => (arn === TOPIC ? undefined : `The topic ${arn} does not exist`),
});
const prepare = (params: unknown) => publishes.prepare(ACCOUNT, params, ID);

describe("sns:publish task parameters", () => {
  it("publishes a string message with its subject and attributes, its MessageId the task's", async () => {
    const made = await prepare({
      TopicArn: TOPIC,
      Message: "hello",
      Subject: "Greeting",
      MessageAttributes: { kind: { DataType: "String", StringValue: "order" } },
    });
    expect(made).toEqual({
      request: {
        id: ID,
        accountId: ACCOUNT,
        topicArn: TOPIC,
        message: "hello",
        subject: "Greeting",
        attributes: { kind: { DataType: "String", StringValue: "order" } },
      },
      output: { MessageId: ID },
    });
  });

  it("sends a JSON Message as its text; TargetArn names the topic too", async () => {
    const made = await prepare({ TargetArn: TOPIC, Message: { id: 7, items: ["a"] } });
    expect(made).toMatchObject({ request: { topicArn: TOPIC, message: '{"id":7,"items":["a"]}' } });
    expect(made).not.toHaveProperty("request.attributes");
  });

  it("keeps MessageStructure json, a message per protocol with a default", async () => {
    const made = await prepare({ TopicArn: TOPIC, MessageStructure: "json", Message: { default: "d", sqs: "q" } });
    expect(made).toMatchObject({ request: { message: '{"default":"d","sqs":"q"}', structure: "json" } });
    expect(await prepare({ TopicArn: TOPIC, MessageStructure: "json", Message: { sqs: "q" } })).toEqual({
      error: "SNS.InvalidParameterException",
      cause: expect.stringContaining("No default entry"),
    });
  });

  it.each([
    ["PhoneNumber", { PhoneNumber: "+15555550100", Message: "m" }, /PhoneNumber \(SMS\) is not supported/],
    ["MessageGroupId", { TopicArn: TOPIC, Message: "m", MessageGroupId: "g" }, /MessageGroupId \(FIFO topics\)/],
    [
      "MessageDeduplicationId",
      { TopicArn: TOPIC, Message: "m", MessageDeduplicationId: "d" },
      /MessageDeduplicationId \(FIFO topics\)/,
    ],
    ["an unknown parameter", { TopicArn: TOPIC, Message: "m", Bogus: 1 }, /Bogus is not supported by Stratus/],
    ["no topic", { Message: "m" }, /TopicArn or TargetArn/],
    ["both TopicArn and TargetArn", { TopicArn: TOPIC, TargetArn: TOPIC, Message: "m" }, /only one/],
    ["no Message", { TopicArn: TOPIC }, /Message: is required/],
    ["a Subject with a newline", { TopicArn: TOPIC, Message: "m", Subject: "a\nb" }, /Subject/],
    ["an attribute without a value", { TopicArn: TOPIC, Message: "m", MessageAttributes: { a: {} } }, /DataType/],
    ["attributes that are not a map", { TopicArn: TOPIC, Message: "m", MessageAttributes: [1] }, /must be a map/],
    ["a message over 256 KB", { TopicArn: TOPIC, Message: "x".repeat(262_145) }, /Message too long/],
    ["a queue's ARN", { TopicArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, Message: "m" }, /not a topic ARN/],
    ["parameters that are not an object", "m", /must be an object/],
  ])("refuses %s as SNS.InvalidParameterException", async (_what, params, cause) => {
    const made = await prepare(params);
    expect(made).toEqual({ error: "SNS.InvalidParameterException", cause: expect.stringMatching(cause) });
  });

  it("fails on a topic that does not exist as SNS.NotFoundException", async () => {
    const missing = `arn:aws:sns:us-east-1:${ACCOUNT}:missing`;
    expect(await prepare({ TopicArn: missing, Message: "m" })).toEqual({
      error: "SNS.NotFoundException",
      cause: `The topic ${missing} does not exist`,
    });
  });

  it("names errors as the SDK's exceptions", () => {
    expect(taskError("NotFound")).toBe("SNS.NotFoundException");
    expect(taskError("AuthorizationError")).toBe("SNS.AuthorizationErrorException");
    expect(taskError("KMSDisabledException")).toBe("SNS.KMSDisabledException");
  });
});
