// SQS on a live control plane, driven unchanged by the AWS CLI v1 (botocore >= 1.31:
// the JSON protocol), Debian's AWS CLI v2.9 (the query protocol) and
// @aws-sdk/client-sqs (which checks the MD5 digests of bodies and attributes): every
// operation, long polling woken by a send, visibility timeouts, redrive to a
// dead-letter queue, concurrent receivers, and AWS-shaped errors in both protocols.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { type Credentials, type Platform, startPlatform } from "./helpers/stack.js";

const run = promisify(execFile);
let platform: Platform;
let sqs: SQSClient;
let dir: string;

const client = (c: Credentials) =>
  new SQSClient({
    endpoint: platform.endpoint,
    region: platform.region,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
    maxAttempts: 1,
  });

beforeAll(async () => {
  platform = await startPlatform();
  sqs = client(platform.credentials);
  dir = await mkdtemp(path.join(tmpdir(), "stratus-sqs-"));
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const r = await runAwsCli(platform, dir, ["sqs", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
}

/** Debian's AWS CLI v2.9, which speaks SQS's query protocol. */
async function cliV2(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: platform.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: platform.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: platform.region,
    AWS_PAGER: "",
  };
  try {
    const out = await run("/usr/bin/aws", ["--endpoint-url", platform.endpoint, "sqs", ...args], { env, cwd: dir });
    return { ...out, code: 0 };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function refused(call: Promise<unknown>, name: string): Promise<Error> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.name).toBe(name);
  return err as Error;
}

async function makeQueue(prefix: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: unique(prefix), Attributes: attributes }));
  return out.QueueUrl as string;
}

describe("SQS through the AWS CLI v1 (JSON protocol)", () => {
  it("creates, finds, lists by prefix and page, reads and sets attributes, tags, purges and deletes queues", async () => {
    const prefix = unique("cli");
    const made = await cli(
      "create-queue",
      "--queue-name",
      `${prefix}-a`,
      "--attributes",
      "VisibilityTimeout=45,DelaySeconds=0,MessageRetentionPeriod=3600,ReceiveMessageWaitTimeSeconds=2,MaximumMessageSize=2048",
      "--tags",
      "team=core",
    );
    const url = made.QueueUrl as string;
    expect(url).toBe(`${platform.endpoint}/${platform.credentials.accountId}/${prefix}-a`);
    // The same name and attributes again: the same queue.
    expect(
      (
        await cli(
          "create-queue",
          "--queue-name",
          `${prefix}-a`,
          "--attributes",
          "VisibilityTimeout=45,MessageRetentionPeriod=3600,ReceiveMessageWaitTimeSeconds=2,MaximumMessageSize=2048",
        )
      ).QueueUrl,
    ).toBe(url);
    const clash = await runAwsCli(platform, dir, [
      "sqs",
      "create-queue",
      "--queue-name",
      `${prefix}-a`,
      "--attributes",
      "VisibilityTimeout=5",
    ]);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain("QueueAlreadyExists");
    await cli("create-queue", "--queue-name", `${prefix}-b`);
    await cli("create-queue", "--queue-name", `${prefix}-c`);

    expect((await cli("get-queue-url", "--queue-name", `${prefix}-a`)).QueueUrl).toBe(url);
    // The CLI pages through with MaxResults 1 and NextToken.
    const listed = await cli("list-queues", "--queue-name-prefix", prefix, "--page-size", "1");
    expect(listed.QueueUrls).toEqual(
      [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`].map((n) => url.replace(`${prefix}-a`, n)),
    );

    const attrs = (await cli("get-queue-attributes", "--queue-url", url, "--attribute-names", "All"))
      .Attributes as Record<string, string>;
    expect(attrs).toMatchObject({
      VisibilityTimeout: "45",
      MessageRetentionPeriod: "3600",
      ReceiveMessageWaitTimeSeconds: "2",
      MaximumMessageSize: "2048",
      DelaySeconds: "0",
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
      ApproximateNumberOfMessagesDelayed: "0",
      QueueArn: `arn:aws:sqs:${platform.region}:${platform.credentials.accountId}:${prefix}-a`,
    });
    expect(Number(attrs.CreatedTimestamp)).toBeGreaterThan(1_600_000_000);
    await cli("set-queue-attributes", "--queue-url", url, "--attributes", "VisibilityTimeout=10");
    const one = await cli("get-queue-attributes", "--queue-url", url, "--attribute-names", "VisibilityTimeout");
    expect(one.Attributes).toEqual({ VisibilityTimeout: "10" });

    await cli("tag-queue", "--queue-url", url, "--tags", "env=test,owner=me");
    await cli("untag-queue", "--queue-url", url, "--tag-keys", "owner");
    expect((await cli("list-queue-tags", "--queue-url", url)).Tags).toEqual({ team: "core", env: "test" });

    await cli("send-message", "--queue-url", url, "--message-body", "to be purged");
    await cli("purge-queue", "--queue-url", url);
    const after = await cli(
      "get-queue-attributes",
      "--queue-url",
      url,
      "--attribute-names",
      "ApproximateNumberOfMessages",
    );
    expect(after.Attributes).toEqual({ ApproximateNumberOfMessages: "0" });

    await cli("delete-queue", "--queue-url", url);
    const gone = await runAwsCli(platform, dir, ["sqs", "get-queue-url", "--queue-name", `${prefix}-a`]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain("AWS.SimpleQueueService.NonExistentQueue");
  }, 300_000);

  it("sends, batches, receives with attributes, changes visibility and deletes messages", async () => {
    const url = (await cli("create-queue", "--queue-name", unique("cli-msg"))).QueueUrl as string;
    const sent = await cli(
      "send-message",
      "--queue-url",
      url,
      "--message-body",
      "hello",
      "--message-attributes",
      '{"kind":{"DataType":"String","StringValue":"greeting"},"n":{"DataType":"Number","StringValue":"7"}}',
    );
    expect(sent.MD5OfMessageBody).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const batch = await cli(
      "send-message-batch",
      "--queue-url",
      url,
      "--entries",
      '[{"Id":"a","MessageBody":"one"},{"Id":"b","MessageBody":"two"},{"Id":"c","MessageBody":""}]',
    );
    expect((batch.Successful as { Id: string }[]).map((e) => e.Id).sort()).toEqual(["a", "b"]);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: "c", SenderFault: true })]);

    const got = await cli(
      "receive-message",
      "--queue-url",
      url,
      "--max-number-of-messages",
      "10",
      "--attribute-names",
      "All",
      "--message-attribute-names",
      "All",
      "--visibility-timeout",
      "60",
    );
    const messages = got.Messages as {
      Body: string;
      ReceiptHandle: string;
      Attributes: Record<string, string>;
      MessageAttributes?: Record<string, unknown>;
      MD5OfMessageAttributes?: string;
    }[];
    expect(messages.map((m) => m.Body).sort()).toEqual(["hello", "one", "two"]);
    const hello = messages.find((m) => m.Body === "hello");
    expect(hello?.MessageAttributes).toEqual({
      kind: { DataType: "String", StringValue: "greeting" },
      n: { DataType: "Number", StringValue: "7" },
    });
    expect(hello?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(hello?.Attributes).toMatchObject({ ApproximateReceiveCount: "1", SenderId: platform.credentials.accountId });
    const notVisible = await cli(
      "get-queue-attributes",
      "--queue-url",
      url,
      "--attribute-names",
      "ApproximateNumberOfMessagesNotVisible",
    );
    expect(notVisible.Attributes).toEqual({ ApproximateNumberOfMessagesNotVisible: "3" });

    const [first, second, third] = messages;
    await cli(
      "change-message-visibility",
      "--queue-url",
      url,
      "--receipt-handle",
      first?.ReceiptHandle ?? "",
      "--visibility-timeout",
      "120",
    );
    const changed = await cli(
      "change-message-visibility-batch",
      "--queue-url",
      url,
      "--entries",
      JSON.stringify([
        { Id: "x", ReceiptHandle: second?.ReceiptHandle, VisibilityTimeout: 100 },
        { Id: "y", ReceiptHandle: "not-a-handle", VisibilityTimeout: 100 },
      ]),
    );
    expect(changed.Successful).toEqual([{ Id: "x" }]);
    expect(changed.Failed).toEqual([expect.objectContaining({ Id: "y", Code: "ReceiptHandleIsInvalid" })]);
    await cli("delete-message", "--queue-url", url, "--receipt-handle", first?.ReceiptHandle ?? "");
    const deleted = await cli(
      "delete-message-batch",
      "--queue-url",
      url,
      "--entries",
      JSON.stringify([
        { Id: "s", ReceiptHandle: second?.ReceiptHandle },
        { Id: "t", ReceiptHandle: third?.ReceiptHandle },
      ]),
    );
    expect((deleted.Successful as unknown[]).length).toBe(2);
    const left = await cli("get-queue-attributes", "--queue-url", url, "--attribute-names", "All");
    expect(left.Attributes).toMatchObject({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
    });
  }, 300_000);

  it("answers AWS's errors", async () => {
    const bad = await runAwsCli(platform, dir, ["sqs", "create-queue", "--queue-name", "jobs.fifo"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("InvalidParameterValue");
    const attr = await runAwsCli(platform, dir, [
      "sqs",
      "create-queue",
      "--queue-name",
      unique("x"),
      "--attributes",
      "VisibilityTimeout=99999",
    ]);
    expect(attr.stderr).toContain("InvalidAttributeValue");
    const policy = await runAwsCli(platform, dir, [
      "sqs",
      "create-queue",
      "--queue-name",
      unique("x"),
      "--attributes",
      "KmsMasterKeyId=alias/x",
    ]);
    expect(policy.stderr).toContain("InvalidAttributeName");
    const url = `${platform.endpoint}/${platform.credentials.accountId}/${unique("none")}`;
    const missing = await runAwsCli(platform, dir, ["sqs", "send-message", "--queue-url", url, "--message-body", "x"]);
    expect(missing.stderr).toContain("AWS.SimpleQueueService.NonExistentQueue");
  }, 300_000);
});

describe("SQS through the AWS CLI v2.9 (query protocol)", () => {
  it("creates, sends, receives and deletes, and answers errors in XML", async () => {
    const name = unique("query");
    const made = await cliV2("create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=30");
    expect(made.stderr).toBe("");
    const url = JSON.parse(made.stdout).QueueUrl as string;
    expect(url.endsWith(`/${platform.credentials.accountId}/${name}`)).toBe(true);
    const sent = await cliV2(
      "send-message",
      "--queue-url",
      url,
      "--message-body",
      "line one\r\nline <two> & 'three'",
      "--message-attributes",
      '{"bin":{"DataType":"Binary","BinaryValue":"AAEC"},"s":{"DataType":"String.custom","StringValue":"é"}}',
    );
    expect(sent.code).toBe(0);
    const sentOut = JSON.parse(sent.stdout);
    const batch = await cliV2(
      "send-message-batch",
      "--queue-url",
      url,
      "--entries",
      '[{"Id":"b1","MessageBody":"batched"}]',
    );
    expect(JSON.parse(batch.stdout).Successful).toHaveLength(1);
    const got = await cliV2(
      "receive-message",
      "--queue-url",
      url,
      "--max-number-of-messages",
      "10",
      "--message-attribute-names",
      "All",
      "--attribute-names",
      "ApproximateReceiveCount",
    );
    expect(got.code).toBe(0);
    const messages = JSON.parse(got.stdout).Messages as {
      Body: string;
      ReceiptHandle: string;
      MD5OfMessageAttributes?: string;
      Attributes: Record<string, string>;
    }[];
    const first = messages.find((m) => m.Body.startsWith("line"));
    expect(first?.Body).toBe("line one\r\nline <two> & 'three'");
    expect(first?.MD5OfMessageAttributes).toBe(sentOut.MD5OfMessageAttributes);
    expect(first?.Attributes).toEqual({ ApproximateReceiveCount: "1" });
    for (const m of messages) {
      expect((await cliV2("delete-message", "--queue-url", url, "--receipt-handle", m.ReceiptHandle)).code).toBe(0);
    }
    const attrs = await cliV2("get-queue-attributes", "--queue-url", url, "--attribute-names", "All");
    expect(JSON.parse(attrs.stdout).Attributes).toMatchObject({
      ApproximateNumberOfMessages: "0",
      VisibilityTimeout: "30",
    });
    const listed = await cliV2("list-queues", "--queue-name-prefix", name);
    expect(JSON.parse(listed.stdout).QueueUrls).toEqual([url]);
    const missing = await cliV2("get-queue-url", "--queue-name", unique("none"));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("AWS.SimpleQueueService.NonExistentQueue");
    expect((await cliV2("delete-queue", "--queue-url", url)).code).toBe(0);
  }, 300_000);
});

describe("SQS through @aws-sdk/client-sqs", () => {
  it("drives every operation, the SDK checking every digest", async () => {
    const dlqName = unique("sdk-dlq");
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl as string;
    const dlqArn = `arn:aws:sqs:${platform.region}:${platform.credentials.accountId}:${dlqName}`;
    const name = unique("sdk");
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
        tags: { a: "1" },
      }),
    );
    const url = QueueUrl as string;
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(url);
    const page = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name, MaxResults: 1 }));
    expect(page.QueueUrls).toEqual([url]);
    expect(page.NextToken).toBeUndefined();
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["RedrivePolicy", "QueueArn"] }),
    );
    expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? "{}")).toEqual({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 5,
    });
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: "0", RedrivePolicy: "" } }),
    );
    const cleared = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    expect(cleared.Attributes?.RedrivePolicy).toBeUndefined();

    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: "ünïcödé 🎉",
        MessageAttributes: {
          b: { DataType: "Binary", BinaryValue: new Uint8Array([0, 255, 7]) },
          s: { DataType: "String", StringValue: "v" },
          n: { DataType: "Number.int", StringValue: "-12.5e3" },
        },
      }),
    );
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "1", MessageBody: "b1", MessageAttributes: { k: { DataType: "String", StringValue: "x" } } },
          { Id: "2", MessageBody: "b2", DelaySeconds: 0 },
        ],
      }),
    );
    expect(batch.Successful).toHaveLength(2);
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["SentTimestamp", "ApproximateFirstReceiveTimestamp"],
        VisibilityTimeout: 30,
      }),
    );
    const messages = got.Messages ?? [];
    expect(messages.map((m) => m.Body).sort()).toEqual(["b1", "b2", "ünïcödé 🎉"]);
    const first = messages.find((m) => m.Body === "ünïcödé 🎉");
    expect(first?.MessageAttributes?.b?.BinaryValue).toEqual(new Uint8Array([0, 255, 7]));
    expect(Number(first?.Attributes?.SentTimestamp)).toBeGreaterThan(1_600_000_000_000);
    expect(first?.Attributes?.ApproximateFirstReceiveTimestamp).toBeDefined();
    // Only the attributes asked for come back, with their own digest.
    const onlyS = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: "pick",
        MessageAttributes: {
          s1: { DataType: "String", StringValue: "1" },
          t: { DataType: "String", StringValue: "2" },
        },
      }),
    );
    expect(onlyS.MD5OfMessageAttributes).toBeDefined();
    const picked = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["s.*"] }));
    expect(Object.keys(picked.Messages?.[0]?.MessageAttributes ?? {})).toEqual(["s1"]);

    const handles = [...messages, ...(picked.Messages ?? [])].map((m) => m.ReceiptHandle as string);
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handles[0], VisibilityTimeout: 60 }),
    );
    const cv = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [{ Id: "a", ReceiptHandle: handles[1], VisibilityTimeout: 60 }],
      }),
    );
    expect(cv.Successful).toEqual([{ Id: "a" }]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: handles[0] }));
    const del = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: handles.slice(1).map((h, i) => ({ Id: `d${i}`, ReceiptHandle: h })),
      }),
    );
    expect(del.Successful).toHaveLength(3);

    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { b: "2" } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ["a"] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ b: "2" });
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    await refused(sqs.send(new PurgeQueueCommand({ QueueUrl: url })), "PurgeQueueInProgress");
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
    await refused(sqs.send(new GetQueueUrlCommand({ QueueName: name })), "QueueDoesNotExist");
  });

  it("refuses bad input, and another account's queue does not exist for it", async () => {
    const url = await makeQueue("bad");
    await refused(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x".repeat(262_145) })),
      "InvalidParameterValue",
    );
    await refused(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "bad \u0001 char" })),
      "InvalidMessageContents",
    );
    await refused(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "x" })),
        }),
      ),
      "TooManyEntriesInBatchRequest",
    );
    await refused(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: "a", MessageBody: "x" },
            { Id: "a", MessageBody: "y" },
          ],
        }),
      ),
      "BatchEntryIdsNotDistinct",
    );
    await refused(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
      "InvalidParameterValue",
    );
    await refused(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage" })),
      "ReceiptHandleIsInvalid",
    );
    await refused(
      sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: `arn:aws:sqs:${platform.region}:${platform.credentials.accountId}:${unique("nope")}`,
              maxReceiveCount: 2,
            }),
          },
        }),
      ),
      "InvalidAttributeValue",
    );
    const other = client(await platform.newAccount(unique("other")));
    try {
      await refused(other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })), "QueueDoesNotExist");
      const theirs = (await other.send(new CreateQueueCommand({ QueueName: "shared-name" }))).QueueUrl as string;
      await refused(sqs.send(new ReceiveMessageCommand({ QueueUrl: theirs })), "QueueDoesNotExist");
    } finally {
      other.destroy();
    }
  });
});

describe("SQS delivery semantics", () => {
  it("wakes a long poll when a message is sent", async () => {
    const url = await makeQueue("poll");
    const started = Date.now();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    // The poll is waiting on an empty queue when the message is sent.
    await new Promise((r) => setTimeout(r, 300));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake" }));
    const got = await polling;
    expect(got.Messages?.map((m) => m.Body)).toEqual(["wake"]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("re-delivers a message whose visibility timeout ran out, with its receive count up and the old handle stale", async () => {
    const url = await makeQueue("vis");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "again" }));
    const first = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        VisibilityTimeout: 1,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("1");
    const second = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10, MessageSystemAttributeNames: ["All"] }),
    );
    const m = second.Messages?.[0];
    expect(m?.MessageId).toBe(first.Messages?.[0]?.MessageId);
    expect(m?.Attributes?.ApproximateReceiveCount).toBe("2");
    expect(m?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
    const stale = first.Messages?.[0]?.ReceiptHandle as string;
    await refused(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: stale, VisibilityTimeout: 0 })),
      "ReceiptHandleIsInvalid",
    );
    // A stale handle deletes nothing; the current one deletes.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: stale }));
    const counts = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] }),
    );
    expect(counts.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe("1");
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m?.ReceiptHandle }));
  });

  it("moves a message received maxReceiveCount times to the dead-letter queue", async () => {
    const dlqName = unique("dlq");
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl as string;
    const dlqArn = `arn:aws:sqs:${platform.region}:${platform.credentials.accountId}:${dlqName}`;
    const url = await makeQueue("redrive", {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "2" }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));
    for (let i = 0; i < 2; i++) {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0, WaitTimeSeconds: 5 }),
      );
      expect(got.Messages?.[0]?.Body).toBe("poison");
    }
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(third.Messages).toBeUndefined();
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 5 }));
    expect(dead.Messages?.[0]?.Body).toBe("poison");
  });

  it("never hands one message to two concurrent receivers", async () => {
    const url = await makeQueue("race", { VisibilityTimeout: "300" });
    const total = 60;
    for (let i = 0; i < total; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `msg-${i + j}` })),
        }),
      );
    }
    const receivers = Array.from({ length: 6 }, async () => {
      const seen: string[] = [];
      for (;;) {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 3 }));
        if (!got.Messages) return seen;
        seen.push(...got.Messages.map((m) => m.Body as string));
      }
    });
    const all = (await Promise.all(receivers)).flat();
    expect(all.length).toBe(total);
    expect(new Set(all).size).toBe(total);
  });
});
