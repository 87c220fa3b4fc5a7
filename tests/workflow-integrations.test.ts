// Step Functions' SQS, EventBridge and SNS integrations against Stratus' own queues,
// buses and topics: sqs:sendMessage answers the message's id and MD5 (the SDK), a
// .waitForTaskToken message carries the token a worker hands back with
// SendTaskSuccess (the AWS CLI), events:putEvents puts an event a rule takes to a
// queue, sns:publish reaches a topic's queue subscription as SNS's envelope (its
// machine made and run with the AWS CLI; a MessageStructure json message carrying a
// task token), and a queue or topic that does not exist fails the task by name.
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type ExecutionStatus,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { useTestQueues } from "./helpers/sqs-queues.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
const queues = useTestQueues(stack);
const aws = useAwsCli(stack, "stratus-sfn-integrations-");
const cli = {
  sqs: cliCommands(aws, "sqs"),
  sfn: cliCommands(aws, "stepfunctions"),
  events: cliCommands(aws, "events"),
};
let sfn: SFNClient;
let sns: SNSClient;
const ROLE = "arn:aws:iam::123456789012:role/sfn";

beforeAll(() => {
  sfn = new SFNClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
    maxAttempts: 1,
  });
  sns = new SNSClient({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
});
afterAll(() => {
  sfn?.destroy();
  sns?.destroy();
});

async function run(definition: object, input: object = {}) {
  const made = await sfn.send(
    new CreateStateMachineCommand({ name: uniqueName("m"), roleArn: ROLE, definition: JSON.stringify(definition) }),
  );
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: made.stateMachineArn, input: JSON.stringify(input) }),
  );
  return started.executionArn as string;
}

/** The execution once it has left `RUNNING` (or is in `status`). */
const settled = (executionArn: string, status?: ExecutionStatus) =>
  waitFor(
    async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status !== "RUNNING" || d.status === status ? d : undefined;
    },
    60_000,
    { what: `execution ${executionArn} settled` },
  );

/** A new topic with a queue subscribed to it (SNS's envelope as each message's body). */
async function topicWithQueue(prefix: string) {
  const q = await queues.create(prefix);
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName(prefix) }))).TopicArn as string;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: q.arn }));
  return { topicArn, queueUrl: q.url };
}

describe("Step Functions' SQS, EventBridge and SNS integrations", () => {
  it("sqs:sendMessage: the task's output names the message the queue holds (SDK)", async () => {
    const q = await queues.create("sfn-send");
    const arn = await run(
      {
        StartAt: "Send",
        States: {
          Send: {
            Type: "Task",
            Resource: "arn:aws:states:::sqs:sendMessage",
            Parameters: {
              QueueUrl: q.url,
              "MessageBody.$": "$.order",
              MessageAttributes: { kind: { DataType: "String", StringValue: "order" } },
            },
            End: true,
          },
        },
      },
      { order: { id: 7, items: ["a"] } },
    );
    const done = await settled(arn);
    expect(done.status).toBe("SUCCEEDED");
    const output = JSON.parse(done.output as string);
    expect(output).toEqual({
      MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      MD5OfMessageBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      MD5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const m = await queues.firstMessage(q.url);
    expect(m.MessageId).toBe(output.MessageId);
    expect(JSON.parse(m.Body as string)).toEqual({ id: 7, items: ["a"] });
    expect(m.MessageAttributes?.kind?.StringValue).toBe("order");
    expect(m.MD5OfBody).toBe(output.MD5OfMessageBody);
  });

  it("sqs:sendMessage.waitForTaskToken: a worker answers the token from the message (CLI)", async () => {
    const q = await queues.create("sfn-work");
    const arn = await run(
      {
        StartAt: "Ask",
        States: {
          Ask: {
            Type: "Task",
            Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            Parameters: { QueueUrl: q.url, MessageBody: { "token.$": "$$.Task.Token", "job.$": "$.job" } },
            ResultPath: "$.answer",
            End: true,
          },
        },
      },
      { job: "resize" },
    );
    const got = await cli.sqs.json<{ Messages: Array<{ Body: string; ReceiptHandle: string }> }>(
      ...["receive-message", "--queue-url", q.url, "--wait-time-seconds", "10"],
    );
    const body = JSON.parse(got.Messages[0]?.Body as string) as { token: string; job: string };
    expect(body.job).toBe("resize");
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe("RUNNING");
    await cli.sqs.silent(
      "delete-message",
      "--queue-url",
      q.url,
      "--receipt-handle",
      got.Messages[0]?.ReceiptHandle as string,
    );
    await cli.sfn.silent("send-task-success", "--task-token", body.token, "--task-output", '{"width":640}');
    const done = await settled(arn);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output as string)).toEqual({ job: "resize", answer: { width: 640 } });
    // One task, one message.
    const attrs = await queues.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ["All"] }));
    expect([
      attrs.Attributes?.ApproximateNumberOfMessages,
      attrs.Attributes?.ApproximateNumberOfMessagesNotVisible,
    ]).toEqual(["0", "0"]);
  });

  it("events:putEvents: the event reaches a rule's queue target, its id in the task's output", async () => {
    const q = await queues.create("sfn-events");
    const rule = uniqueName("from-sfn");
    const source = `sfn.${uniqueName("src")}`;
    await cli.events.json("put-rule", "--name", rule, "--event-pattern", JSON.stringify({ source: [source] }));
    await cli.events.json("put-targets", "--rule", rule, "--targets", `Id=q,Arn=${q.arn}`);
    const arn = await run(
      {
        StartAt: "Tell",
        States: {
          Tell: {
            Type: "Task",
            Resource: "arn:aws:states:::events:putEvents",
            Parameters: { Entries: [{ Source: source, DetailType: "Shipped", "Detail.$": "$" }] },
            End: true,
          },
        },
      },
      { order: 9 },
    );
    const done = await settled(arn);
    expect(done.status).toBe("SUCCEEDED");
    const output = JSON.parse(done.output as string) as {
      Entries: Array<{ EventId: string }>;
      FailedEntryCount: number;
    };
    expect(output.FailedEntryCount).toBe(0);
    const m = await queues.firstMessage(q.url);
    expect(JSON.parse(m.Body as string)).toMatchObject({
      id: output.Entries[0]?.EventId,
      source,
      "detail-type": "Shipped",
      detail: { order: 9 },
    });
  });

  it("fails a task by the service's error name: a queue that does not exist, a bus that does not exist", async () => {
    const arn = await run({
      StartAt: "Send",
      States: {
        Send: {
          Type: "Task",
          Resource: "arn:aws:states:::sqs:sendMessage",
          Parameters: { QueueUrl: `${stack.endpoint}/${stack.credentials.accountId}/no-such-queue`, MessageBody: "x" },
          Catch: [{ ErrorEquals: ["SQS.QueueDoesNotExist"], ResultPath: "$.error", Next: "Put" }],
          End: true,
        },
        Put: {
          Type: "Task",
          Resource: "arn:aws:states:::events:putEvents",
          Parameters: { Entries: [{ Source: "s", DetailType: "d", Detail: "{}", EventBusName: "no-such-bus" }] },
          End: true,
        },
      },
    });
    const done = await settled(arn);
    expect({ status: done.status, error: done.error }).toEqual({ status: "FAILED", error: "EventBridge.FailedEntry" });
    expect(JSON.parse(done.cause as string)).toMatchObject({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "ResourceNotFoundException" }],
    });
  });

  it("sns:publish: the topic's queue gets SNS's envelope, the task's output its MessageId (CLI)", async () => {
    const { topicArn, queueUrl } = await topicWithQueue("sfn-sns");
    const definition = {
      StartAt: "Publish",
      States: {
        Publish: {
          Type: "Task",
          Resource: "arn:aws:states:::sns:publish",
          Parameters: {
            TopicArn: topicArn,
            "Message.$": "$.order",
            Subject: "Order placed",
            MessageAttributes: { kind: { DataType: "String", "StringValue.$": "$.kind" } },
          },
          End: true,
        },
      },
    };
    const made = await cli.sfn.json<{ stateMachineArn: string }>(
      ...["create-state-machine", "--name", uniqueName("sns"), "--role-arn", ROLE],
      ...["--definition", JSON.stringify(definition)],
    );
    const started = await cli.sfn.json<{ executionArn: string }>(
      ...["start-execution", "--state-machine-arn", made.stateMachineArn],
      ...["--input", JSON.stringify({ order: { id: 7, items: ["a"] }, kind: "order" })],
    );
    const done = await waitFor(
      async () => {
        const d = await cli.sfn.json<{ status: string; output?: string }>(
          ...["describe-execution", "--execution-arn", started.executionArn],
        );
        return d.status === "RUNNING" ? undefined : d;
      },
      60_000,
      { what: "the sns:publish execution's end" },
    );
    expect(done.status).toBe("SUCCEEDED");
    const output = JSON.parse(done.output as string);
    expect(output).toEqual({ MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const m = await queues.firstMessage(queueUrl);
    expect(JSON.parse(m.Body as string)).toMatchObject({
      Type: "Notification",
      MessageId: output.MessageId,
      TopicArn: topicArn,
      Subject: "Order placed",
      Message: '{"id":7,"items":["a"]}',
      MessageAttributes: { kind: { Type: "String", Value: "order" } },
    });
  });

  it("sns:publish.waitForTaskToken: a MessageStructure json message gives the queue its own text, the token", async () => {
    const { topicArn, queueUrl } = await topicWithQueue("sfn-sns-token");
    const arn = await run(
      {
        StartAt: "Ask",
        States: {
          Ask: {
            Type: "Task",
            Resource: "arn:aws:states:::sns:publish.waitForTaskToken",
            Parameters: {
              TopicArn: topicArn,
              MessageStructure: "json",
              Message: { default: "a task awaits its token", "sqs.$": "$$.Task.Token" },
            },
            ResultPath: "$.answer",
            End: true,
          },
        },
      },
      { job: "resize" },
    );
    const m = await queues.firstMessage(queueUrl);
    const token = (JSON.parse(m.Body as string) as { Message: string }).Message;
    expect(token).not.toBe("a task awaits its token");
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe("RUNNING");
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"width":640}' }));
    const done = await settled(arn);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output as string)).toEqual({ job: "resize", answer: { width: 640 } });
  });

  it("sns:publish to a topic that does not exist fails the execution with SNS.NotFoundException", async () => {
    const missing = `arn:aws:sns:${stack.region}:${stack.credentials.accountId}:${uniqueName("no-such-topic")}`;
    const arn = await run({
      StartAt: "Publish",
      States: {
        Publish: {
          Type: "Task",
          Resource: "arn:aws:states:::sns:publish",
          Parameters: { TopicArn: missing, Message: "x" },
          End: true,
        },
      },
    });
    const done = await settled(arn);
    expect({ status: done.status, error: done.error }).toEqual({ status: "FAILED", error: "SNS.NotFoundException" });
    expect(done.cause).toContain(missing);
  });
});
