// FIFO queues in Stratus' SQS, driven unchanged by the AWS CLI v1 (JSON protocol),
// Debian's AWS CLI v2.9 (query protocol) and @aws-sdk/client-sqs: creation and its
// refusals, the FIFO attributes, deduplication (explicit, content-based, per group),
// sequence numbers, strict order within a group with a group held while one of its
// messages is in flight, redelivery first in the group when visibility ends, batches,
// redrive to a FIFO dead-letter queue, concurrent receivers draining a queue in each
// group's order, a Lambda event source mapping over a FIFO queue (its records carry
// the group, deduplication id and sequence number), and the services that write
// without a group refusing a FIFO queue.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { deployFunction, uniqueName } from "./helpers/functions.js";
import { until, waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const run = promisify(execFile);

// The event source mapping test polls this stack's own SQS: through a forwarder whose
// port is known before the stack starts, signed with a key of the stack's account that
// is stored once the stack is up.
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const pollerKey = {
  id: `AKIA${Array.from(randomBytes(16), (b) => KEY_ALPHABET[b % 32]).join("")}`,
  secret: randomBytes(30).toString("base64").replace(/[+/]/g, "A"),
};
const cpEnv: Record<string, string> = {};
let forwarder: Server;
let upstream = { host: "127.0.0.1", port: 0 };

beforeAll(async () => {
  forwarder = createServer((client) => {
    const up = connect(upstream.port, upstream.host);
    client.pipe(up).pipe(client);
    client.on("error", () => up.destroy());
    up.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => forwarder.listen(0, "127.0.0.1", resolve));
  const { port } = forwarder.address() as AddressInfo;
  // The stack below reads this when it starts (its beforeAll runs after this one).
  cpEnv.STRATUS_SQS_ENDPOINTS = JSON.stringify([
    {
      Region: "*",
      Account: "*",
      Url: `http://127.0.0.1:${port}`,
      AccessKeyId: pollerKey.id,
      SecretAccessKey: pollerKey.secret,
    },
  ]);
});
const stack = useStack({}, { controlPlaneEnv: cpEnv });
const aws = useAwsCli(stack, "stratus-sqs-fifo-");
const cli = { sqs: cliCommands(aws, "sqs"), events: cliCommands(aws, "events") };
let sqs: SQSClient;
let v2dir: string;

beforeAll(async () => {
  const u = new URL(stack.endpoint);
  upstream = { host: u.hostname, port: Number(u.port) };
  await stack.db.query("INSERT INTO access_keys (access_key_id, account_id, secret_access_key) VALUES ($1, $2, $3)", [
    pollerKey.id,
    stack.credentials.accountId,
    pollerKey.secret,
  ]);
  sqs = new SQSClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
    maxAttempts: 1,
  });
  v2dir = await mkdtemp(path.join(tmpdir(), "stratus-sqs-fifo-v2-"));
});

afterAll(async () => {
  sqs?.destroy();
  await new Promise((resolve) => forwarder?.close(resolve));
  if (v2dir) await rm(v2dir, { recursive: true, force: true });
});

/** Debian's AWS CLI v2.9, which speaks SQS's query protocol. */
async function cliV2(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: v2dir,
    AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: stack.region,
    AWS_PAGER: "",
    AWS_MAX_ATTEMPTS: "1",
  };
  try {
    const out = await run("/usr/bin/aws", ["--endpoint-url", stack.endpoint, "sqs", ...args], { env, cwd: v2dir });
    return { ...out, code: 0 };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const arnOf = (name: string) => `arn:aws:sqs:${stack.region}:${stack.credentials.accountId}:${name}`;
const fifoName = (prefix: string) => `${uniqueName(prefix)}.fifo`;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

async function makeFifo(prefix: string, attributes: Record<string, string> = {}) {
  const name = fifoName(prefix);
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: "true", ...attributes } }),
  );
  return { name, url: QueueUrl as string, arn: arnOf(name) };
}

async function refused(call: Promise<unknown>, name: string, message?: RegExp): Promise<Error> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.name).toBe(name);
  if (message) expect(err?.message).toMatch(message);
  return err as Error;
}

async function counts(url: string) {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible) };
}

interface CliMessage {
  Body: string;
  MessageId: string;
  ReceiptHandle: string;
  Attributes?: Record<string, string>;
}

/** receive-message through the CLI, which prints nothing when nothing is received. */
async function cliReceive(url: string, ...args: string[]): Promise<CliMessage[]> {
  const r = await aws("sqs", "receive-message", "--queue-url", url, "--attribute-names", "All", ...args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout.trim() ? ((JSON.parse(r.stdout) as { Messages?: CliMessage[] }).Messages ?? []) : [];
}

describe("FIFO queues through the AWS CLI v1 (JSON protocol)", () => {
  it("creates a FIFO queue, refuses a .fifo name without FifoQueue and FifoQueue without one, and reads and sets its attributes", async () => {
    const name = fifoName("cli");
    const plain = uniqueName("cli-plain");
    expect(await cli.sqs.failure("create-queue", "--queue-name", name)).toMatch(
      /InvalidParameterValue.*FifoQueue=true/,
    );
    expect(await cli.sqs.failure("create-queue", "--queue-name", plain, "--attributes", "FifoQueue=true")).toMatch(
      /InvalidParameterValue.*must end with .fifo/,
    );
    expect(
      await cli.sqs.failure("create-queue", "--queue-name", plain, "--attributes", "ContentBasedDeduplication=true"),
    ).toContain("InvalidAttributeName");
    expect(
      await cli.sqs.failure(
        "create-queue",
        "--queue-name",
        name,
        "--attributes",
        "FifoQueue=true,FifoThroughputLimit=perMessageGroupId",
      ),
    ).toMatch(/InvalidAttributeValue.*perMessageGroupId/);
    // Nothing was made by the refusals.
    expect(await cli.sqs.failure("get-queue-url", "--queue-name", name)).toContain("NonExistentQueue");

    const made = await cli.sqs.json<{ QueueUrl: string }>(
      "create-queue",
      "--queue-name",
      name,
      "--attributes",
      "FifoQueue=true,ContentBasedDeduplication=true,VisibilityTimeout=40",
    );
    expect(made.QueueUrl).toBe(`${stack.endpoint}/${stack.credentials.accountId}/${name}`);
    const again = await cli.sqs.json<{ QueueUrl: string }>(
      "create-queue",
      "--queue-name",
      name,
      "--attributes",
      "FifoQueue=true,ContentBasedDeduplication=true,VisibilityTimeout=40",
    );
    expect(again.QueueUrl).toBe(made.QueueUrl);
    expect(
      await cli.sqs.failure(
        "create-queue",
        "--queue-name",
        name,
        "--attributes",
        "FifoQueue=true,VisibilityTimeout=40",
      ),
    ).toContain("QueueAlreadyExists");
    const read = async () =>
      (
        await cli.sqs.json<{ Attributes: Record<string, string> }>(
          "get-queue-attributes",
          "--queue-url",
          made.QueueUrl,
          "--attribute-names",
          "All",
        )
      ).Attributes;
    expect(await read()).toMatchObject({
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      DeduplicationScope: "queue",
      FifoThroughputLimit: "perQueue",
      VisibilityTimeout: "40",
      QueueArn: arnOf(name),
    });
    await cli.sqs.silent(
      "set-queue-attributes",
      "--queue-url",
      made.QueueUrl,
      "--attributes",
      "ContentBasedDeduplication=false",
    );
    expect(
      await cli.sqs.failure("set-queue-attributes", "--queue-url", made.QueueUrl, "--attributes", "FifoQueue=false"),
    ).toMatch(/InvalidAttributeName.*cannot be changed/);
    expect(
      await cli.sqs.failure(
        "set-queue-attributes",
        "--queue-url",
        made.QueueUrl,
        "--attributes",
        "FifoThroughputLimit=perMessageGroupId",
      ),
    ).toContain("InvalidAttributeValue");
    expect(await read()).toMatchObject({ ContentBasedDeduplication: "false", FifoThroughputLimit: "perQueue" });
    await cli.sqs.silent(
      "set-queue-attributes",
      "--queue-url",
      made.QueueUrl,
      "--attributes",
      "DeduplicationScope=messageGroup,FifoThroughputLimit=perMessageGroupId",
    );
    expect(await read()).toMatchObject({
      DeduplicationScope: "messageGroup",
      FifoThroughputLimit: "perMessageGroupId",
    });
    const listed = await cli.sqs.json<{ QueueUrls: string[] }>("list-queues", "--queue-name-prefix", name);
    expect(listed.QueueUrls).toEqual([made.QueueUrl]);

    // A FIFO queue's dead-letter queue is a FIFO queue, a standard queue's a standard queue.
    const plainDlq = await cli.sqs.json<{ QueueUrl: string }>("create-queue", "--queue-name", `${plain}-dlq`);
    const redrive = (arn: string) =>
      JSON.stringify({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 }) });
    expect(
      await cli.sqs.failure(
        "set-queue-attributes",
        "--queue-url",
        made.QueueUrl,
        "--attributes",
        redrive(arnOf(`${plain}-dlq`)),
      ),
    ).toMatch(/InvalidAttributeValue.*same type/);
    expect(
      await cli.sqs.failure(
        "set-queue-attributes",
        "--queue-url",
        plainDlq.QueueUrl,
        "--attributes",
        redrive(arnOf(name)),
      ),
    ).toMatch(/InvalidAttributeValue.*same type/);
    expect(await read()).not.toHaveProperty("RedrivePolicy");
    await cli.sqs.silent("delete-queue", "--queue-url", made.QueueUrl);
    await cli.sqs.silent("delete-queue", "--queue-url", plainDlq.QueueUrl);
  }, 120_000);

  it("deduplicates sends, by id and by content: a repeat is answered with the original and enqueues nothing", async () => {
    const q = await makeFifo("dedup");
    const send = (...args: string[]) =>
      cli.sqs.json<{ MessageId: string; SequenceNumber: string; MD5OfMessageBody: string }>(
        "send-message",
        "--queue-url",
        q.url,
        ...args,
      );
    expect(await cli.sqs.failure("send-message", "--queue-url", q.url, "--message-body", "x")).toMatch(
      /MissingParameter.*MessageGroupId/,
    );
    expect(
      await cli.sqs.failure("send-message", "--queue-url", q.url, "--message-body", "x", "--message-group-id", "g"),
    ).toMatch(/InvalidParameterValue.*ContentBasedDeduplication/);
    const withDelay = [
      "send-message",
      "--queue-url",
      q.url,
      "--message-body",
      "x",
      "--message-group-id",
      "g",
      "--message-deduplication-id",
      "d0",
      "--delay-seconds",
      "5",
    ];
    expect(await cli.sqs.failure(...withDelay)).toMatch(/InvalidParameterValue.*DelaySeconds/);
    expect((await counts(q.url)).visible).toBe(0);

    const first = await send("--message-body", "one", "--message-group-id", "g", "--message-deduplication-id", "d1");
    expect(first.SequenceNumber).toMatch(/^\d{20,}$/);
    const repeat = await send(
      "--message-body",
      "one, again",
      "--message-group-id",
      "g",
      "--message-deduplication-id",
      "d1",
    );
    expect(repeat.MessageId).toBe(first.MessageId);
    expect(repeat.SequenceNumber).toBe(first.SequenceNumber);
    // The digest is of what this send carried: the CLI checks it.
    expect(repeat.MD5OfMessageBody).toBe(createHash("md5").update("one, again").digest("hex"));
    const second = await send("--message-body", "two", "--message-group-id", "g", "--message-deduplication-id", "d2");
    expect(BigInt(second.SequenceNumber)).toBeGreaterThan(BigInt(first.SequenceNumber));
    expect(await counts(q.url)).toEqual({ visible: 2, inFlight: 0 });

    // Content-based: the body's SHA-256 is the id.
    await cli.sqs.silent(
      "set-queue-attributes",
      "--queue-url",
      q.url,
      "--attributes",
      "ContentBasedDeduplication=true",
    );
    const byContent = await send("--message-body", "three", "--message-group-id", "h");
    expect((await send("--message-body", "three", "--message-group-id", "h")).MessageId).toBe(byContent.MessageId);
    // An explicit id still wins over the content.
    const explicit = await send(
      "--message-body",
      "three",
      "--message-group-id",
      "h",
      "--message-deduplication-id",
      "d3",
    );
    expect(explicit.MessageId).not.toBe(byContent.MessageId);
    expect(await counts(q.url)).toEqual({ visible: 4, inFlight: 0 });
    const got = await cliReceive(q.url, "--max-number-of-messages", "10");
    expect(got.map((m) => m.Body)).toEqual(["one", "two", "three", "three"]);
    expect(got.map((m) => m.Attributes?.MessageDeduplicationId)).toEqual(["d1", "d2", sha256("three"), "d3"]);
    expect(got[2]?.MessageId).toBe(byContent.MessageId);

    // With the messageGroup scope, an id counts within its group only.
    const scoped = await makeFifo("scoped", { DeduplicationScope: "messageGroup" });
    const inGroup = (group: string) =>
      cli.sqs.json<{ MessageId: string }>(
        "send-message",
        "--queue-url",
        scoped.url,
        "--message-body",
        group,
        "--message-group-id",
        group,
        "--message-deduplication-id",
        "same",
      );
    const a = await inGroup("a");
    const b = await inGroup("b");
    expect(b.MessageId).not.toBe(a.MessageId);
    expect((await inGroup("a")).MessageId).toBe(a.MessageId);
    expect(await counts(scoped.url)).toEqual({ visible: 2, inFlight: 0 });
  }, 120_000);

  it("delivers each group in send order, holds a group while one of its messages is in flight, and gives an expired one first again", async () => {
    const q = await makeFifo("order", { ContentBasedDeduplication: "true" });
    const entries = ["A1", "B1", "A2", "B2", "A3"].map((body, i) => ({
      Id: `e${i}`,
      MessageBody: body,
      MessageGroupId: body[0],
    }));
    const batch = await cli.sqs.json<{ Successful: { Id: string; SequenceNumber: string }[] }>(
      "send-message-batch",
      "--queue-url",
      q.url,
      "--entries",
      JSON.stringify(entries),
    );
    const seqs = batch.Successful.map((s) => BigInt(s.SequenceNumber));
    expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : 1)));
    expect(new Set(seqs).size).toBe(5);

    // A1, held for 2 s.
    const [a1] = await cliReceive(q.url, "--visibility-timeout", "2");
    expect(a1?.Body).toBe("A1");
    expect(a1?.Attributes).toMatchObject({ MessageGroupId: "A", ApproximateReceiveCount: "1" });
    // Group A is held: only B's, in order.
    const bs = await cliReceive(q.url, "--max-number-of-messages", "10");
    expect(bs.map((m) => m.Body)).toEqual(["B1", "B2"]);
    expect(await cliReceive(q.url, "--max-number-of-messages", "10")).toEqual([]);
    // A1's visibility ends: it comes first again, with the rest of its group behind it (a long poll waits for it).
    const again = await cliReceive(q.url, "--max-number-of-messages", "10", "--wait-time-seconds", "10");
    expect(again.map((m) => m.Body)).toEqual(["A1", "A2", "A3"]);
    expect(again[0]?.MessageId).toBe(a1?.MessageId);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe("2");
    const sequence = again.map((m) => BigInt(m.Attributes?.SequenceNumber ?? "0"));
    expect(sequence[0]).toBe(seqs[0]);
    expect(sequence).toEqual([seqs[0], seqs[2], seqs[4]]);
    // Every message is in flight: deleting B1 frees nothing while B2 still holds group B.
    await cli.sqs.silent("delete-message", "--queue-url", q.url, "--receipt-handle", bs[0]?.ReceiptHandle ?? "");
    expect(await cliReceive(q.url)).toEqual([]);
    await cli.sqs.silent(
      "change-message-visibility",
      "--queue-url",
      q.url,
      "--receipt-handle",
      bs[1]?.ReceiptHandle ?? "",
      "--visibility-timeout",
      "0",
    );
    expect((await cliReceive(q.url)).map((m) => m.Body)).toEqual(["B2"]);
  }, 120_000);
});

describe("FIFO queues through the AWS CLI v2.9 (query protocol)", () => {
  it("creates, sends with ids, receives the FIFO attributes, and answers its errors in XML", async () => {
    const name = fifoName("query");
    const made = await cliV2("create-queue", "--queue-name", name, "--attributes", "FifoQueue=true");
    expect(made.stderr).toBe("");
    const url = JSON.parse(made.stdout).QueueUrl as string;
    const attrs = JSON.parse(
      (await cliV2("get-queue-attributes", "--queue-url", url, "--attribute-names", "All")).stdout,
    ).Attributes;
    expect(attrs).toMatchObject({ FifoQueue: "true", ContentBasedDeduplication: "false" });
    const noFifo = await cliV2(
      "create-queue",
      "--queue-name",
      `${name.slice(0, -5)}x`,
      "--attributes",
      "FifoQueue=true",
    );
    expect(noFifo.stderr).toContain("InvalidParameterValue");
    const missing = await cliV2("send-message", "--queue-url", url, "--message-body", "x");
    expect(missing.stderr).toMatch(/MissingParameter.*MessageGroupId/);
    const send = async (body: string, dedup: string) =>
      JSON.parse(
        (
          await cliV2(
            "send-message",
            "--queue-url",
            url,
            "--message-body",
            body,
            "--message-group-id",
            "q",
            "--message-deduplication-id",
            dedup,
          )
        ).stdout,
      ) as { MessageId: string; SequenceNumber: string };
    const one = await send("one", "1");
    expect(one.SequenceNumber).toMatch(/^\d{20,}$/);
    expect(await send("one again", "1")).toEqual(expect.objectContaining({ MessageId: one.MessageId }));
    await send("two", "2");
    const attempt = await cliV2("receive-message", "--queue-url", url, "--receive-request-attempt-id", "r1");
    expect(attempt.stderr).toMatch(/InvalidParameterValue.*ReceiveRequestAttemptId is not implemented/);
    const got = await cliV2(
      "receive-message",
      "--queue-url",
      url,
      "--max-number-of-messages",
      "10",
      "--attribute-names",
      "MessageGroupId",
      "SequenceNumber",
      "MessageDeduplicationId",
    );
    expect(got.stderr).toBe("");
    const messages = JSON.parse(got.stdout).Messages as { Body: string; Attributes: Record<string, string> }[];
    expect(messages.map((m) => m.Body)).toEqual(["one", "two"]);
    expect(messages[0]?.Attributes).toEqual({
      MessageGroupId: "q",
      MessageDeduplicationId: "1",
      SequenceNumber: one.SequenceNumber,
    });
    expect((await cliV2("delete-queue", "--queue-url", url)).code).toBe(0);
  }, 120_000);
});

describe("FIFO queues through @aws-sdk/client-sqs", () => {
  it("sends a batch with an answer per entry, and receives the FIFO attributes asked for by name", async () => {
    const q = await makeFifo("batch");
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: [
          { Id: "a", MessageBody: "first", MessageGroupId: "g", MessageDeduplicationId: "1" },
          { Id: "b", MessageBody: "no group", MessageDeduplicationId: "2" },
          { Id: "c", MessageBody: "first again", MessageGroupId: "g", MessageDeduplicationId: "1" },
          { Id: "d", MessageBody: "second", MessageGroupId: "g", MessageDeduplicationId: "3" },
          { Id: "e", MessageBody: "delayed", MessageGroupId: "g", MessageDeduplicationId: "4", DelaySeconds: 1 },
        ],
      }),
    );
    expect(out.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([
      ["b", "MissingParameter", true],
      ["e", "InvalidParameterValue", true],
    ]);
    const ok = new Map(out.Successful?.map((s) => [s.Id, s]));
    expect(ok.get("c")?.MessageId).toBe(ok.get("a")?.MessageId);
    expect(ok.get("c")?.SequenceNumber).toBe(ok.get("a")?.SequenceNumber);
    expect(BigInt(ok.get("d")?.SequenceNumber ?? "0")).toBeGreaterThan(BigInt(ok.get("a")?.SequenceNumber ?? "0"));
    expect(await counts(q.url)).toEqual({ visible: 2, inFlight: 0 });

    await refused(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, ReceiveRequestAttemptId: "attempt-1" })),
      "InvalidParameterValue",
      /ReceiveRequestAttemptId is not implemented by Stratus/,
    );
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: q.url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["MessageGroupId", "SequenceNumber"],
      }),
    );
    expect(got.Messages?.map((m) => m.Body)).toEqual(["first", "second"]);
    expect(got.Messages?.[0]?.Attributes).toEqual({
      MessageGroupId: "g",
      SequenceNumber: ok.get("a")?.SequenceNumber,
    });
    await refused(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { FifoQueue: "false" } })),
      "InvalidAttributeName",
    );
    // A standard queue still refuses FIFO parameters.
    const { QueueUrl: plain } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("plain") }));
    await refused(
      sqs.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: "x", MessageGroupId: "g" })),
      "InvalidParameterValue",
      /not valid for this queue type/,
    );
  }, 60_000);

  it("moves a message received maxReceiveCount times to its FIFO dead-letter queue, keeping its group and ids", async () => {
    const dlq = await makeFifo("dlq");
    const q = await makeFifo("redriven", {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const one = await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.url,
        MessageBody: "poison",
        MessageGroupId: "g",
        MessageDeduplicationId: "p",
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.url,
        MessageBody: "next",
        MessageGroupId: "g",
        MessageDeduplicationId: "n",
      }),
    );
    // Received twice (the second time when its 1 s visibility ends), never deleted.
    for (const count of ["1", "2"]) {
      const got = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: q.url,
          VisibilityTimeout: 1,
          WaitTimeSeconds: 10,
          MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        }),
      );
      expect(got.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([["poison", count]]);
    }
    // The third receive moves it, and its group goes on with the next message.
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 10 }));
    expect(after.Messages?.map((m) => m.Body)).toEqual(["next"]);
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq.url, MessageSystemAttributeNames: ["All"], WaitTimeSeconds: 5 }),
    );
    expect(dead.Messages).toHaveLength(1);
    expect(dead.Messages?.[0]).toMatchObject({
      MessageId: one.MessageId,
      Body: "poison",
      Attributes: expect.objectContaining({
        MessageGroupId: "g",
        MessageDeduplicationId: "p",
        ApproximateReceiveCount: "1",
        SequenceNumber: expect.stringMatching(/^\d{20,}$/),
      }),
    });
  }, 60_000);

  it("wakes a long poll held by a group's message in flight when that message is deleted", async () => {
    const q = await makeFifo("wake", { ContentBasedDeduplication: "true" });
    for (const body of ["w1", "w2"]) {
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body, MessageGroupId: "w" }));
    }
    const [held] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url }))).Messages ?? [];
    expect(held?.Body).toBe("w1");
    const started = Date.now();
    const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 15 }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: held?.ReceiptHandle }));
    const next = await poll;
    expect(next.Messages?.map((m) => m.Body)).toEqual(["w2"]);
    // Woken by the delete, not by the 5 s re-poll nor the 30 s visibility timeout.
    expect(Date.now() - started).toBeLessThan(4_000);
  }, 60_000);

  it("keeps each group's order with 4 receivers draining 30 messages of 3 groups at once", async () => {
    const q = await makeFifo("drain", { ContentBasedDeduplication: "true" });
    const groups = ["red", "green", "blue"];
    const sent: Record<string, string[]> = { red: [], green: [], blue: [] };
    const all = Array.from({ length: 30 }, (_, i) => {
      const group = groups[i % 3] as string;
      const body = `${group}-${i}`;
      sent[group]?.push(body);
      return { Id: `m${i}`, MessageBody: body, MessageGroupId: group };
    });
    for (let i = 0; i < all.length; i += 10) {
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: all.slice(i, i + 10) }));
      expect(out.Failed ?? []).toEqual([]);
    }
    // A logical clock: when each message was received, and when its delete was asked for.
    let tick = 0;
    let calls = 0;
    const received: { group: string; body: string; count: string; call: number; at: number; released: number }[] = [];
    const deadline = Date.now() + 45_000;
    const receiver = async () => {
      while (received.length < 30 && Date.now() < deadline) {
        const got = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: q.url,
            MaxNumberOfMessages: 4,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ["MessageGroupId", "ApproximateReceiveCount"],
          }),
        );
        const call = ++calls;
        const at = ++tick;
        const mine = (got.Messages ?? []).map((m: Message) => ({
          group: m.Attributes?.MessageGroupId ?? "",
          body: m.Body ?? "",
          count: m.Attributes?.ApproximateReceiveCount ?? "",
          call,
          at,
          released: Number.POSITIVE_INFINITY,
          handle: m.ReceiptHandle,
        }));
        received.push(...mine);
        for (const m of mine) {
          m.released = ++tick;
          await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: m.handle }));
        }
      }
    };
    await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    expect(received).toHaveLength(30);
    expect(received.every((r) => r.count === "1")).toBe(true);
    for (const group of groups) {
      const inGroup = received.filter((r) => r.group === group);
      expect(inGroup.map((r) => r.body)).toEqual(sent[group]);
      // Never a message of the group to one receive while an earlier one is held by another:
      // the next comes in the same receive, or after the one before it was let go.
      for (let i = 1; i < inGroup.length; i++) {
        const [before, next] = [inGroup[i - 1], inGroup[i]] as [(typeof received)[0], (typeof received)[0]];
        expect(next.call === before.call || next.at > before.released, `${before.body} then ${next.body}`).toBe(true);
      }
    }
    expect(await counts(q.url)).toEqual({ visible: 0, inFlight: 0 });
  }, 60_000);
});

// Logs one REC line per record: its body, then the FIFO attributes Lambda's event carries.
const HANDLER = `exports.handler = async (event) => {
  for (const r of event.Records) {
    const a = r.attributes;
    console.log("REC " + r.body + " " + a.MessageGroupId + " " + a.SequenceNumber + " " + a.MessageDeduplicationId);
  }
  return {};
};`;

describe("a Lambda event source mapping over a FIFO queue, and the writers that take no group", () => {
  let fn: string;
  beforeAll(async () => {
    fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": HANDLER },
    });
  }, 120_000);

  const records = async () => {
    const { rows } = await stack.db.query<{ log: string }>(
      "SELECT log FROM invocation_logs WHERE function_name = $1 ORDER BY started_at",
      [fn],
    );
    return rows.flatMap((r) => [...r.log.matchAll(/REC ([^\n]+)/g)].map((m) => (m[1] ?? "").split(" ")));
  };

  it("gives the function each group in order, its records carrying MessageGroupId, MessageDeduplicationId and SequenceNumber", async () => {
    const q = await makeFifo("esm", { ContentBasedDeduplication: "true" });
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: q.arn, BatchSize: 10 }),
    );
    await until(
      "Enabled",
      async () => (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: made.UUID }))).State === "Enabled",
      20_000,
    );
    const bodies = ["x0", "y0", "x1", "y1", "x2", "y2"];
    for (const body of bodies) {
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body, MessageGroupId: body[0] }));
    }
    const seen = await waitFor(
      async () => {
        const r = await records();
        return r.length >= bodies.length ? r : undefined;
      },
      60_000,
      { what: "the queue's records in the function's log" },
    );
    expect(seen).toHaveLength(bodies.length);
    for (const group of ["x", "y"]) {
      const mine = seen.filter((r) => r[1] === group);
      expect(mine.map((r) => r[0])).toEqual(bodies.filter((b) => b[0] === group));
      const sequence = mine.map((r) => BigInt(r[2] ?? "0"));
      expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : 1)));
      for (const r of mine) expect(r[3]).toBe(sha256(r[0] ?? ""));
    }
    await until(
      "queue drained",
      async () => {
        const c = await counts(q.url);
        return c.visible + c.inFlight === 0;
      },
      20_000,
    );
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
  }, 120_000);

  it("refuses a FIFO queue as a function's DeadLetterConfig, an OnFailure destination and an EventBridge target", async () => {
    const q = await makeFifo("nogroup");
    await refused(
      stack.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: fn, DeadLetterConfig: { TargetArn: q.arn } }),
      ),
      "InvalidParameterValueException",
      /FIFO queue/,
    );
    await refused(
      stack.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: fn,
          DestinationConfig: { OnFailure: { Destination: q.arn } },
        }),
      ),
      "InvalidParameterValueException",
      /FIFO queue/,
    );
    const rule = uniqueName("to-fifo");
    await cli.events.json("put-rule", "--name", rule, "--event-pattern", '{"source":["fifo.test"]}');
    const plain = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("fifo-target-plain") }));
    const plainArn = arnOf(new URL(plain.QueueUrl as string).pathname.split("/")[2] as string);
    const put = await cli.events.json<{ FailedEntryCount: number; FailedEntries: Record<string, string>[] }>(
      "put-targets",
      "--rule",
      rule,
      "--targets",
      JSON.stringify([
        { Id: "fifo", Arn: q.arn },
        { Id: "fifo-dlq", Arn: plainArn, DeadLetterConfig: { Arn: q.arn } },
      ]),
    );
    expect(put.FailedEntryCount).toBe(2);
    expect(put.FailedEntries.map((f) => [f.TargetId, f.ErrorCode])).toEqual([
      ["fifo", "ValidationException"],
      ["fifo-dlq", "ValidationException"],
    ]);
    for (const f of put.FailedEntries) expect(f.ErrorMessage).toMatch(/FIFO queue/);
    const targets = await cli.events.json<{ Targets: unknown[] }>("list-targets-by-rule", "--rule", rule);
    expect(targets.Targets).toEqual([]);
  }, 60_000);
});
