// A function's async results on SNS topics, on a live stack: an OnFailure and an
// OnSuccess destination naming a topic (set with the AWS CLI and with the SDK) publish
// Lambda's destination record, and a DeadLetterConfig topic gets the discarded event
// with Lambda's RequestID, ErrorCode and ErrorMessage as message attributes; each topic
// has an SQS subscription (raw or SNS's envelope) the test reads. A topic that does
// not exist is refused with InvalidParameterValueException, changing nothing.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, ROLE, uniqueName } from "./helpers/functions.js";
import { useTestQueues } from "./helpers/sqs-queues.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

const stack = useStack();
const queues = useTestQueues(stack);
let dir: string;
let zipPath: string;
let sns: SNSClient;

const FAILS = `exports.handler = async () => { throw new Error("always fails"); };`;
const SUCCEEDS = `exports.handler = async (event) => ({ doubled: event.n * 2 });`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-sns-dest-"));
  zipPath = path.join(dir, "fn.zip");
  await writeFile(zipPath, await nodeFunction(FAILS));
  sns = new SNSClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
  });
}, 60_000);

afterAll(async () => {
  sns?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runAwsCli(stack, dir, args);

/** A new topic (made with the CLI or the SDK) and a queue subscribed to it, raw or enveloped. */
async function topicToQueue(how: "cli" | "sdk", raw: boolean) {
  const name = uniqueName("results");
  let topicArn: string;
  if (how === "cli") {
    const made = await cli(["sns", "create-topic", "--name", name]);
    expect(made.code).toBe(0);
    topicArn = JSON.parse(made.stdout).TopicArn;
  } else {
    topicArn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn as string;
  }
  const queue = await queues.create("sns-dest");
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: queue.arn,
      ...(raw ? { Attributes: { RawMessageDelivery: "true" } } : {}),
    }),
  );
  return { topicArn, queue };
}

const deploy = (code: string, config = {}) =>
  deployFunction(stack, { runtime: "nodejs22.x", handler: "index.handler", files: { "index.js": code }, config });

async function invokeEvent(name: string, payload: unknown): Promise<string> {
  const inv = await stack.lambda.send(
    new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  expect(inv.StatusCode).toBe(202);
  const requestId = inv.$metadata.requestId as string;
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  return requestId;
}

const fnArn = (name: string) => `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`;

describe("SNS destinations", () => {
  it("publishes a failed event's record to an OnFailure topic set with the AWS CLI (raw subscription)", async () => {
    const { topicArn, queue } = await topicToQueue("cli", true);
    const name = await deploy(FAILS);
    const put = await cli([
      "lambda",
      "put-function-event-invoke-config",
      "--function-name",
      name,
      "--maximum-retry-attempts",
      "0",
      "--destination-config",
      JSON.stringify({ OnFailure: { Destination: topicArn } }),
    ]);
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout).DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: { Destination: topicArn } });

    const requestId = await invokeEvent(name, { order: 7 });
    const m = await queues.firstMessage(queue.url);
    const record = JSON.parse(m.Body ?? "null");
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: {
        requestId,
        functionArn: `${fnArn(name)}:$LATEST`,
        condition: "RetriesExhausted",
        approximateInvokeCount: 1,
      },
      requestPayload: { order: 7 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorType: "Error", errorMessage: "always fails" },
    });
    expect(Date.parse(record.timestamp)).not.toBeNaN();
  });

  it("publishes a success's record to an OnSuccess topic set with the SDK (SNS's envelope)", async () => {
    const { topicArn, queue } = await topicToQueue("sdk", false);
    const name = await deploy(SUCCEEDS);
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        DestinationConfig: { OnSuccess: { Destination: topicArn } },
      }),
    );
    const got = await stack.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
    expect(got.DestinationConfig?.OnSuccess?.Destination).toBe(topicArn);

    const requestId = await invokeEvent(name, { n: 21 });
    const m = await queues.firstMessage(queue.url);
    const envelope = JSON.parse(m.Body ?? "null");
    expect(envelope).toMatchObject({ Type: "Notification", TopicArn: topicArn });
    expect(envelope.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(envelope.Message)).toMatchObject({
      requestContext: { requestId, condition: "Success", approximateInvokeCount: 1 },
      requestPayload: { n: 21 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST" },
      responsePayload: { doubled: 42 },
    });
  });

  it("publishes a discarded event to a DeadLetterConfig topic with Lambda's attributes", async () => {
    const raw = await topicToQueue("cli", true);
    const name = uniqueName("dlq-topic");
    const made = await cli([
      "lambda",
      "create-function",
      "--function-name",
      name,
      "--runtime",
      "nodejs22.x",
      "--handler",
      "index.handler",
      "--role",
      ROLE,
      "--zip-file",
      `fileb://${zipPath}`,
      "--dead-letter-config",
      `TargetArn=${raw.topicArn}`,
    ]);
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout).DeadLetterConfig).toEqual({ TargetArn: raw.topicArn });
    // A second subscription, enveloped, on the same topic.
    const enveloped = await queues.create("sns-dlq-env");
    await sns.send(new SubscribeCommand({ TopicArn: raw.topicArn, Protocol: "sqs", Endpoint: enveloped.arn }));
    await stack.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 0 }));

    const requestId = await invokeEvent(name, { order: 9 });
    const m = await queues.firstMessage(raw.queue.url);
    expect(JSON.parse(m.Body ?? "")).toEqual({ order: 9 });
    expect(m.MessageAttributes).toEqual({
      RequestID: { DataType: "String", StringValue: requestId },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "always fails" },
    });
    const envelope = JSON.parse((await queues.firstMessage(enveloped.url)).Body ?? "null");
    expect(JSON.parse(envelope.Message)).toEqual({ order: 9 });
    expect(envelope.MessageAttributes).toEqual({
      RequestID: { Type: "String", Value: requestId },
      ErrorCode: { Type: "Number", Value: "200" },
      ErrorMessage: { Type: "String", Value: "always fails" },
    });

    // Moved to another topic with the SDK: GetFunctionConfiguration shows it.
    const other = await topicToQueue("sdk", true);
    await stack.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: name, DeadLetterConfig: { TargetArn: other.topicArn } }),
    );
    const config = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(config.DeadLetterConfig).toEqual({ TargetArn: other.topicArn });
  });

  it("refuses a topic that does not exist, with the CLI and the SDK, changing nothing", async () => {
    const { topicArn } = await topicToQueue("sdk", true);
    const missing = `${topicArn}-missing`;
    const name = await deploy(FAILS, { DeadLetterConfig: { TargetArn: topicArn } });
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: topicArn } },
      }),
    );
    const configBefore = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    const invokeBefore = await stack.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));

    // Event invoke config: the CLI and the SDK.
    const put = await cli([
      "lambda",
      "put-function-event-invoke-config",
      "--function-name",
      name,
      "--destination-config",
      JSON.stringify({ OnSuccess: { Destination: missing } }),
    ]);
    expect(put.code).not.toBe(0);
    expect(put.stderr).toContain("InvalidParameterValueException");
    expect(put.stderr).toMatch(/does not exist/);
    await expect(
      stack.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: name,
          DestinationConfig: { OnFailure: { Destination: missing } },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });

    // DeadLetterConfig: a create refused stores no function; an update refused changes none.
    const refusedName = uniqueName("dlq-missing");
    const create = await cli([
      "lambda",
      "create-function",
      "--function-name",
      refusedName,
      "--runtime",
      "nodejs22.x",
      "--handler",
      "index.handler",
      "--role",
      ROLE,
      "--zip-file",
      `fileb://${zipPath}`,
      "--dead-letter-config",
      `TargetArn=${missing}`,
    ]);
    expect(create.code).not.toBe(0);
    expect(create.stderr).toContain("InvalidParameterValueException");
    await expect(
      stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: refusedName })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(
      stack.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, DeadLetterConfig: { TargetArn: missing } }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    const update = await cli([
      "lambda",
      "update-function-configuration",
      "--function-name",
      name,
      "--dead-letter-config",
      `TargetArn=${missing}`,
    ]);
    expect(update.code).not.toBe(0);
    expect(update.stderr).toContain("InvalidParameterValueException");

    const configAfter = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(configAfter.RevisionId).toBe(configBefore.RevisionId);
    expect(configAfter.DeadLetterConfig).toEqual({ TargetArn: topicArn });
    const invokeAfter = await stack.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
    expect(invokeAfter.DestinationConfig).toEqual(invokeBefore.DestinationConfig);
    expect(invokeAfter.MaximumRetryAttempts).toBe(1);
    expect(invokeAfter.LastModified).toEqual(invokeBefore.LastModified);
  });
});
