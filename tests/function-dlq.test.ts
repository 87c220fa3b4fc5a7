// A function's own dead-letter queue (DeadLetterConfig.TargetArn) on a Stratus SQS
// queue: set by CreateFunction and UpdateFunctionConfiguration through the AWS CLI and
// the SDK, shown by GetFunctionConfiguration, kept by a published version, removed
// with an empty TargetArn; a queue that does not exist, another account's, a topic
// that does not exist or a non-ARN refused with nothing stored (an SNS topic that
// does exist: sns-destinations.test.ts). A failing async event ends in the
// queue as Lambda writes it (the event as the body; RequestID, ErrorCode, ErrorMessage),
// and in an OnFailure destination too when one is set.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, ROLE, uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { useTestQueues } from "./helpers/sqs-queues.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

const stack = useStack();
const queues = useTestQueues(stack);
let dir: string;
let zipPath: string;

const FAILS = `exports.handler = async () => { throw new Error("always fails"); };`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-fn-dlq-"));
  zipPath = path.join(dir, "fn.zip");
  await writeFile(zipPath, await nodeFunction(FAILS));
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const queue = () => queues.create("fn-dlq");

const cli = (args: string[]) => runAwsCli(stack, dir, args);

async function createWithCli(name: string, deadLetter: string) {
  return cli([
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
    `TargetArn=${deadLetter}`,
  ]);
}

const config = (name: string, qualifier?: string) =>
  stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: qualifier }));

describe("a function's DeadLetterConfig", () => {
  it("is set, shown, kept by a published version and removed with an empty TargetArn", async () => {
    const dlq = await queue();
    const name = uniqueName("dlq-fn");
    const made = await createWithCli(name, dlq.arn);
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout).DeadLetterConfig).toEqual({ TargetArn: dlq.arn });
    expect((await config(name)).DeadLetterConfig).toEqual({ TargetArn: dlq.arn });

    const v1 = await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(v1.DeadLetterConfig).toEqual({ TargetArn: dlq.arn });

    const removed = await cli([
      "lambda",
      "update-function-configuration",
      "--function-name",
      name,
      "--dead-letter-config",
      "TargetArn=",
    ]);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout).DeadLetterConfig).toBeUndefined();
    expect((await config(name)).DeadLetterConfig).toBeUndefined();
    expect((await config(name, v1.Version)).DeadLetterConfig).toEqual({ TargetArn: dlq.arn });

    // Set again through the SDK; an update that does not name it leaves it.
    const other = await queue();
    await stack.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: name, DeadLetterConfig: { TargetArn: other.arn } }),
    );
    await stack.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 5 }));
    expect((await config(name)).DeadLetterConfig).toEqual({ TargetArn: other.arn });
  });

  it("refuses a queue that does not exist, another account's, a missing topic and a non-ARN, storing nothing", async () => {
    const dlq = await queue();
    const otherAccount = await stack.newAccount(uniqueName("other"));
    const bad = [
      [`${dlq.arn}-missing`, /does not exist/],
      [dlq.arn.replace(stack.credentials.accountId, otherAccount.accountId), /not a queue of account/],
      [
        `arn:aws:sns:${stack.region}:${stack.credentials.accountId}:${uniqueName("no-topic")}`,
        /topic .* does not exist/,
      ],
      ["my-queue", /Invalid dead letter queue ARN/],
    ] as const;
    for (const [arn, why] of bad) {
      const name = uniqueName("dlq-bad");
      const refused = await createWithCli(name, arn);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("InvalidParameterValueException");
      expect(refused.stderr).toMatch(why);
      await expect(config(name)).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    }

    const name = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": FAILS },
      config: { DeadLetterConfig: { TargetArn: dlq.arn } },
    });
    const before = await config(name);
    for (const [arn] of bad) {
      await expect(
        stack.lambda.send(
          new UpdateFunctionConfigurationCommand({ FunctionName: name, DeadLetterConfig: { TargetArn: arn } }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    }
    const after = await config(name);
    expect(after.RevisionId).toBe(before.RevisionId);
    expect(after.DeadLetterConfig).toEqual({ TargetArn: dlq.arn });
  });

  it("receives a failing async event as Lambda writes it, beside an OnFailure destination", async () => {
    const dlq = await queue();
    const onFailure = await queue();
    const name = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": FAILS },
      config: { DeadLetterConfig: { TargetArn: dlq.arn } },
    });
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: onFailure.arn } },
      }),
    );
    const inv = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from('{"order":7}') }),
    );
    expect(inv.StatusCode).toBe(202);
    const requestId = inv.$metadata.requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    // The dead letter, read with the AWS CLI.
    const got = await waitFor(
      async () => {
        const r = await cli([
          "sqs",
          "receive-message",
          "--queue-url",
          dlq.url,
          "--message-attribute-names",
          "All",
          "--wait-time-seconds",
          "5",
        ]);
        expect(r.code).toBe(0);
        return r.stdout.trim() ? (JSON.parse(r.stdout).Messages?.[0] as Message | undefined) : undefined;
      },
      60_000,
      { what: "the dead letter" },
    );
    expect(JSON.parse(got.Body ?? "")).toEqual({ order: 7 });
    expect(got.MessageAttributes).toEqual({
      RequestID: { DataType: "String", StringValue: requestId },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "always fails" },
    });

    // The OnFailure destination gets its record too.
    const record = JSON.parse((await queues.firstMessage(onFailure.url)).Body ?? "{}");
    expect(record).toMatchObject({
      requestContext: { requestId, condition: "RetriesExhausted" },
      requestPayload: { order: 7 },
    });
  });

  it("sends a published version's event to that version's queue, not $LATEST's", async () => {
    const kept = await queue();
    const latest = await queue();
    const name = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": FAILS },
      config: { DeadLetterConfig: { TargetArn: kept.arn }, Publish: true },
    });
    await stack.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: name, DeadLetterConfig: { TargetArn: latest.arn } }),
    );
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: "1", MaximumRetryAttempts: 0 }),
    );
    const inv = await stack.lambda.send(
      new InvokeCommand({
        FunctionName: name,
        Qualifier: "1",
        InvocationType: "Event",
        Payload: Buffer.from('{"v":1}'),
      }),
    );
    const m = await queues.firstMessage(kept.url);
    expect(JSON.parse(m.Body ?? "")).toEqual({ v: 1 });
    expect(m.MessageAttributes?.RequestID?.StringValue).toBe(inv.$metadata.requestId);
    const none = await queues.sqs.send(new ReceiveMessageCommand({ QueueUrl: latest.url, WaitTimeSeconds: 1 }));
    expect(none.Messages ?? []).toEqual([]);
  });
});
