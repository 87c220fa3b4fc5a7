// Event source mappings from SQS-compatible queues, against an independent SQS server
// (fauxqs, in memory, started here) named by STRATUS_SQS_ENDPOINTS: N messages in → N
// seen once each in Lambda's SQS event; ReportBatchItemFailures redelivers only the
// named messages; a poison message ends in the queue's dead-letter queue by its redrive
// policy; FilterCriteria drops (deletes) what does not match; CRUD and Lambda's
// refusals through @aws-sdk/client-lambda and the AWS CLI. Invocations are counted
// from the function's own log lines.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction } from "./helpers/functions.js";
import { until, waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

let fauxqs: FauxqsServer;
let sqs: SQSClient;
let dir: string;
const cpEnv: Record<string, string> = { STRATUS_ESM_LEASE_MS: "3000" };

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false });
  // The stack below reads this when it starts (its beforeAll runs after this one).
  cpEnv.STRATUS_SQS_ENDPOINTS = JSON.stringify([
    { Region: "*", Account: "*", Url: fauxqs.address, AccessKeyId: "test", SecretAccessKey: "test" },
  ]);
  sqs = new SQSClient({
    endpoint: fauxqs.address,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    useQueueUrlAsEndpoint: false,
  });
  dir = await mkdtemp(path.join(tmpdir(), "stratus-sqs-"));
});
const stack = useStack({}, { controlPlaneEnv: cpEnv });

afterAll(async () => {
  sqs?.destroy();
  await fauxqs?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Logs one TRY line per record received and one SEEN line per record processed; fails
// the records whose body says so (thrown, or named in batchItemFailures on their first receive).
const HANDLER = `exports.handler = async (event) => {
  const failures = [];
  for (const r of event.Records) {
    const b = JSON.parse(r.body);
    console.log("TRY " + b.seq + " " + r.attributes.ApproximateReceiveCount);
    if (b.poison) throw new Error("poison message");
    if (b.flaky && r.attributes.ApproximateReceiveCount === "1") { failures.push({ itemIdentifier: r.messageId }); continue; }
    console.log("SEEN " + b.seq + " " + r.eventSource + " " + r.eventSourceARN + " " + r.awsRegion + " " +
      (r.messageAttributes.tag ? r.messageAttributes.tag.stringValue + "/" + r.messageAttributes.tag.dataType : "-") +
      " " + (r.md5OfBody.length === 32) + " " + Boolean(r.receiptHandle && r.attributes.SentTimestamp && r.attributes.SenderId && r.attributes.ApproximateFirstReceiveTimestamp));
  }
  return { batchItemFailures: failures };
};`;

const unique = (p: string) => `${p}-${randomBytes(4).toString("hex")}`;

async function makeQueue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: QueueUrl as string, AttributeNames: ["QueueArn"] }),
  );
  return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
}

async function send(url: string, bodies: unknown[], attrs?: Record<string, MessageAttributeValue>) {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((b, n) => ({
          Id: String(n),
          MessageBody: JSON.stringify(b),
          ...(attrs ? { MessageAttributes: attrs } : {}),
        })),
      }),
    );
  }
}

async function depth(url: string): Promise<number> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
}

async function logLines(fn: string, word: "SEEN" | "TRY"): Promise<string[][]> {
  const { rows } = await stack.db.query<{ log: string }>(
    "SELECT log FROM invocation_logs WHERE function_name = $1 ORDER BY started_at",
    [fn],
  );
  return rows.flatMap((r) =>
    [...r.log.matchAll(new RegExp(`${word} ([^\\n]+)`, "g"))].map((m) => (m[1] ?? "").split(" ")),
  );
}
const seenSeqs = async (fn: string) => (await logLines(fn, "SEEN")).map((l) => Number(l[0]));
const tries = async (fn: string, seq: number) => (await logLines(fn, "TRY")).filter((l) => Number(l[0]) === seq).length;

const fn = (timeout?: number) =>
  deployFunction(stack, {
    runtime: "nodejs22.x",
    handler: "index.handler",
    files: { "index.js": HANDLER },
    ...(timeout ? { config: { Timeout: timeout } } : {}),
  });
const mapping = (uuid: string) => stack.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));

describe("event source mappings from SQS", () => {
  it("delivers N messages to the function once each, in Lambda's SQS event, and deletes them", async () => {
    const f = await fn();
    const q = await makeQueue(unique("orders"));
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: f,
        EventSourceArn: q.arn,
        BatchSize: 10,
        Tags: { app: "orders" },
      }),
    );
    expect(made).toMatchObject({ State: "Creating", BatchSize: 10, EventSourceArn: q.arn, FunctionResponseTypes: [] });
    const Resource = made.EventSourceMappingArn;
    expect((await stack.lambda.send(new ListTagsCommand({ Resource }))).Tags).toEqual({ app: "orders" });
    expect(made.Queues).toBeUndefined();
    await until("Enabled", async () => (await mapping(made.UUID as string)).State === "Enabled", 20_000);
    const N = 45;
    await send(
      q.url,
      Array.from({ length: N }, (_, i) => ({ seq: i })),
      { tag: { DataType: "String", StringValue: "blue" } },
    );
    const lines = await waitFor(async () => {
      const l = await logLines(f, "SEEN");
      return l.length >= N ? l : undefined;
    }, 60_000);
    expect(lines.map((l) => Number(l[0])).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(lines[0]?.slice(1)).toEqual(["aws:sqs", q.arn, "us-east-1", "blue/String", "true", "true"]);
    await until("queue drained", async () => (await depth(q.url)) === 0, 20_000);
    expect((await mapping(made.UUID as string)).LastProcessingResult).toBe("OK");
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
  }, 120_000);

  it("with ReportBatchItemFailures redelivers only the messages the function named", async () => {
    const f = await fn();
    const q = await makeQueue(unique("partial"), { VisibilityTimeout: "3" });
    const bodies = Array.from({ length: 10 }, (_, i) => ({ seq: i, flaky: i === 3 || i === 7 }));
    await send(q.url, bodies);
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: f,
        EventSourceArn: q.arn,
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 2 },
      }),
    );
    expect(made).toMatchObject({
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    await until("all seen", async () => new Set(await seenSeqs(f)).size === 10, 60_000);
    await until("queue drained", async () => (await depth(q.url)) === 0, 20_000);
    for (const b of bodies) expect(await tries(f, b.seq)).toBe(b.flaky ? 2 : 1);
    expect((await seenSeqs(f)).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
  }, 120_000);

  it("leaves a poison message to the queue's redrive policy, which dead-letters it", async () => {
    const f = await fn();
    const dlq = await makeQueue(unique("dlq"));
    const q = await makeQueue(unique("poison"), {
      VisibilityTimeout: "3",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await send(q.url, [{ seq: 0 }, { seq: 1, poison: true }, { seq: 2 }]);
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: f, EventSourceArn: q.arn, BatchSize: 1 }),
    );
    const dead = await waitFor(async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1 }));
      return r.Messages?.length ? r.Messages : undefined;
    }, 60_000);
    expect(dead.map((m) => JSON.parse(m.Body as string))).toEqual([{ seq: 1, poison: true }]);
    expect((await seenSeqs(f)).sort()).toEqual([0, 2]);
    expect(await tries(f, 1)).toBe(2);
    expect((await mapping(made.UUID as string)).LastProcessingResult).toMatch(/^(OK|PROBLEM: Function call failed)/);
    await until("queue drained", async () => (await depth(q.url)) === 0, 20_000);
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
  }, 120_000);

  it("drops (deletes) the messages FilterCriteria rejects", async () => {
    const f = await fn();
    const q = await makeQueue(unique("filtered"));
    await send(q.url, [
      { seq: 1, kind: "skip" },
      { seq: 2, kind: "keep" },
      { seq: 3, kind: "skip" },
      { seq: 4, kind: "keep" },
    ]);
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: f,
        EventSourceArn: q.arn,
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ["keep"] } }) }] },
      }),
    );
    await until("kept ones seen", async () => (await seenSeqs(f)).length === 2, 60_000);
    await until("filtered out deleted", async () => (await depth(q.url)) === 0, 20_000);
    expect((await seenSeqs(f)).sort()).toEqual([2, 4]);
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
  }, 120_000);

  it("refuses what Lambda refuses, by name, and changes nothing", async () => {
    const f = await fn(10);
    const q = await makeQueue(unique("refuse"), { VisibilityTimeout: "30" });
    const short = await makeQueue(unique("short"), { VisibilityTimeout: "5" });
    const refused = async (input: object, message: RegExp | string) => {
      const err = await stack.lambda
        .send(new CreateEventSourceMappingCommand({ FunctionName: f, EventSourceArn: q.arn, ...input } as never))
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(err?.name).toBe("InvalidParameterValueException");
      if (typeof message === "string") expect(err?.message).toBe(message);
      else expect(err?.message).toMatch(message);
    };
    await refused(
      { EventSourceArn: short.arn },
      "Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds",
    );
    await refused(
      { DestinationConfig: { OnFailure: { Destination: dlqArn(q.arn) } } },
      "DestinationConfig is not valid for SQS event sources.",
    );
    await refused({ StartingPosition: "LATEST" }, "StartingPosition is not valid for SQS event sources.");
    await refused({ MaximumRetryAttempts: 3 }, "MaximumRetryAttempts is not valid for SQS event sources.");
    await refused({ BatchSize: 11 }, /Maximum batch window in seconds must be greater than 0/);
    await refused({ ScalingConfig: { MaximumConcurrency: 1 } }, /MaximumConcurrency/);
    await refused({ EventSourceArn: q.arn.replace(/[^:]+$/, "no-such-queue") }, /does not exist/);
    const listed = await stack.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: f }));
    expect(listed.EventSourceMappings).toEqual([]);
  }, 60_000);

  it("CRUD through the SDK and the AWS CLI", async () => {
    const f = await fn();
    const q = await makeQueue(unique("crud"));
    const cli = async (...args: string[]) => {
      const r = await runAwsCli(stack, dir, ["lambda", ...args]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const made = await cli(
      "create-event-source-mapping",
      "--function-name",
      f,
      "--event-source-arn",
      q.arn,
      "--batch-size",
      "5",
      "--function-response-types",
      "ReportBatchItemFailures",
      "--scaling-config",
      "MaximumConcurrency=3",
      "--no-enabled",
    );
    expect(made).toMatchObject({
      State: "Creating",
      BatchSize: 5,
      EventSourceArn: q.arn,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    const uuid = String(made.UUID);
    await until(
      "Disabled",
      async () => (await cli("get-event-source-mapping", "--uuid", uuid)).State === "Disabled",
      20_000,
    );
    const dup = await runAwsCli(stack, dir, [
      "lambda",
      "create-event-source-mapping",
      "--function-name",
      f,
      "--event-source-arn",
      q.arn,
    ]);
    expect(dup.stderr).toContain("(ResourceConflictException)");
    expect(dup.stderr).toContain(uuid);

    // Its tags by its ARN, as Terraform reads them: none given at create, then added and removed.
    const Resource = String(made.EventSourceMappingArn);
    expect(Resource).toBe(`arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:event-source-mapping:${uuid}`);
    expect((await stack.lambda.send(new ListTagsCommand({ Resource }))).Tags).toEqual({});
    await stack.lambda.send(new TagResourceCommand({ Resource, Tags: { team: "core", env: "dev" } }));
    await stack.lambda.send(new UntagResourceCommand({ Resource, TagKeys: ["team"] }));
    expect((await stack.lambda.send(new ListTagsCommand({ Resource }))).Tags).toEqual({ env: "dev" });
    const tooMany = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    const refusedTags = await stack.lambda.send(new TagResourceCommand({ Resource, Tags: tooMany })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refusedTags?.name).toBe("InvalidParameterValueException");
    expect((await stack.lambda.send(new ListTagsCommand({ Resource }))).Tags).toEqual({ env: "dev" });
    // Another account, or a mapping that is not there, is not found.
    const other = stack.clientFor(await stack.newAccount(unique("intruder")));
    const missing = Resource.replace(/[0-9a-f]{12}$/, "000000000000");
    for (const [client, arn] of [
      [other, Resource],
      [stack.lambda, missing],
    ] as const) {
      const e = await client.send(new ListTagsCommand({ Resource: arn })).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(e?.name).toBe("ResourceNotFoundException");
    }

    const tooBig = await stack.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 100 })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(tooBig?.name).toBe("InvalidParameterValueException");
    const upd = await stack.lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID: uuid,
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 2,
        FunctionResponseTypes: [],
        ScalingConfig: { MaximumConcurrency: 4 },
      }),
    );
    expect(upd).toMatchObject({
      State: "Updating",
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: [],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    await until("Disabled again", async () => (await mapping(uuid)).State === "Disabled", 20_000);
    // A filter, then an empty FilterCriteria (what Terraform sends when the configuration drops it): none left.
    const filter = { Filters: [{ Pattern: '{"body":{"kind":["keep"]}}' }] };
    await stack.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, FilterCriteria: filter }));
    await until("filtered", async () => (await mapping(uuid)).State === "Disabled", 20_000);
    expect((await mapping(uuid)).FilterCriteria).toEqual(filter);
    await stack.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, FilterCriteria: {} }));
    await until("unfiltered", async () => (await mapping(uuid)).State === "Disabled", 20_000);
    expect((await mapping(uuid)).FilterCriteria).toBeUndefined();
    const enabled = await cli("update-event-source-mapping", "--uuid", uuid, "--enabled");
    expect(enabled.State).toBe("Enabling");
    await until("Enabled", async () => (await mapping(uuid)).State === "Enabled", 20_000);
    const bySource = await cli("list-event-source-mappings", "--event-source-arn", q.arn);
    expect((bySource.EventSourceMappings as Array<{ UUID: string }>).map((m) => m.UUID)).toEqual([uuid]);
    const sdkList = await stack.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: f }));
    expect(sdkList.EventSourceMappings?.map((m) => m.UUID)).toEqual([uuid]);
    const del = await cli("delete-event-source-mapping", "--uuid", uuid);
    expect(del.State).toBe("Deleting");
    await until(
      "deleted",
      async () =>
        (
          await mapping(uuid).then(
            () => undefined,
            (e: Error) => e,
          )
        )?.name === "ResourceNotFoundException",
      20_000,
    );
  }, 120_000);
});

const dlqArn = (arn: string) => `${arn}-dlq`;
