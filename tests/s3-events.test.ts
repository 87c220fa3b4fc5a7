// Bucket triggers on a live stack: bucket notification configurations put and read
// through the real AWS CLI (aws s3api) and @aws-sdk/client-s3, the s3 permission
// granted with `aws lambda add-permission`, and notifications as MinIO's webhook,
// Ceph RGW's HTTP push endpoint and s3rver (a real S3 server, in process) send them,
// reaching the bound function as AWS's S3 event; wrong tokens and bad bodies refused
// with nothing invoked.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import {
  GetBucketNotificationConfigurationCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import amqp from "amqplib";
import type { S3Event } from "aws-lambda";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { asyncInvocations, deployFunction, loggedEvents, uniqueName } from "./helpers/functions.js";
import { until, waitFor } from "./helpers/poll.js";
import { type RabbitMq, startRabbitMq } from "./helpers/rabbitmq.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import type { Credentials } from "./helpers/stack.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
let dir: string;
let s3: S3Client;
let sqs: SQSClient;
let sns: SNSClient;
let fnName: string;
let guardName: string;
let source: { SourceId: string; Token: string; EndpointPath: string };

/** Logs the event it gets (read back by request id). */
const ECHO = `exports.handler = async (event) => { console.log("EVENT " + JSON.stringify(event)); return "ok"; };`;

const arnOf = (name: string) => `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`;
const aws = (...args: string[]) => runAwsCli(stack, dir, args);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-s3-events-"));
  const signed = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
  };
  sqs = new SQSClient(signed);
  sns = new SNSClient(signed);
  s3 = new S3Client({
    endpoint: stack.endpoint,
    region: stack.region,
    forcePathStyle: true,
    credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
  });
  const deploy = () =>
    deployFunction(stack, { runtime: "nodejs22.x", handler: "index.handler", files: { "index.js": ECHO } });
  [fnName, guardName] = await Promise.all([deploy(), deploy()]);
  const made = await signedFetch(
    stack.endpoint,
    stack.region,
    stack.credentials,
    "/stratus/2026-11-01/object-sources",
    {
      method: "POST",
      body: JSON.stringify({ Name: uniqueName("minio") }),
    },
  );
  expect(made.status).toBe(201);
  source = (await made.json()) as typeof source;
});

afterAll(async () => {
  s3?.destroy();
  sqs?.destroy();
  sns?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Posts a notification body to the receiver as a store would. */
function notify(body: unknown, authorization?: string, sourceId = source.SourceId) {
  return fetch(new URL(`/stratus/2026-11-01/object-events/${sourceId}`, stack.endpoint), {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
const bearer = () => `Bearer ${source.Token}`;

/** Lets S3 invoke `name` for `bucket` (SDK) and binds the bucket's created objects to it. */
async function bind(bucket: string, name: string, filter?: { prefix?: string; suffix?: string }) {
  await stack.lambda.send(
    new AddPermissionCommand({
      FunctionName: name,
      StatementId: `s3-${bucket}`,
      Action: "lambda:InvokeFunction",
      Principal: "s3.amazonaws.com",
      SourceArn: `arn:aws:s3:::${bucket}`,
    }),
  );
  const rules = Object.entries(filter ?? {}).map(([Name, Value]) => ({ Name: Name as "prefix" | "suffix", Value }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Id: `created-${bucket}`,
            LambdaFunctionArn: arnOf(name),
            Events: ["s3:ObjectCreated:*"],
            ...(rules.length ? { Filter: { Key: { FilterRules: rules } } } : {}),
          },
        ],
      },
    }),
  );
}

const logged = new Map<string, S3Event>();

/** The events `name` received for `bucket`, once `count` of them have run. */
async function received(name: string, bucket: string, count: number): Promise<S3Event[]> {
  return waitFor(
    async () => {
      const mine = [...(await loggedEvents(stack, name, logged)).values()].filter(
        (e) => e.Records[0]?.s3.bucket.name === bucket,
      );
      return mine.length >= count ? mine : undefined;
    },
    45_000,
    { what: `${count} events of ${bucket} at ${name}`, intervalMs: 300 },
  );
}

/** A MinIO webhook body (internal/event/target/webhook.go) for an object put. */
function minioBody(bucket: string, key: string, sequencer: string) {
  const escaped = encodeURIComponent(key).replace(/%20/g, "+");
  return {
    EventName: "s3:ObjectCreated:Put",
    Key: `${bucket}/${key}`,
    Records: [
      {
        eventVersion: "2.0",
        eventSource: "minio:s3",
        awsRegion: "",
        eventTime: "2026-11-30T10:00:00.123Z",
        eventName: "s3:ObjectCreated:Put",
        userIdentity: { principalId: "minioadmin" },
        requestParameters: { principalId: "minioadmin", region: "", sourceIPAddress: "10.0.0.7" },
        responseElements: { "x-amz-id-2": "dd9025b", "x-amz-request-id": "1800B2DA1E0EA3D1" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "Config",
          bucket: { name: bucket, ownerIdentity: { principalId: "minioadmin" }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: escaped, size: 2048, eTag: "d41d8cd98f00b204e9800998ecf8427e", sequencer },
        },
        source: { host: "10.0.0.7", port: "", userAgent: "MinIO (linux; amd64) minio-go/v7.0.70 mc/2024" },
      },
    ],
  };
}

describe("bindings the Lambda way, through the AWS CLI", () => {
  it("refuses a function S3 may not invoke, takes it after add-permission, and reads it back", async () => {
    const bucket = uniqueName("photos");
    const config = {
      LambdaFunctionConfigurations: [
        {
          Id: "thumbs",
          LambdaFunctionArn: arnOf(fnName),
          Events: ["s3:ObjectCreated:*"],
          Filter: {
            Key: {
              FilterRules: [
                { Name: "prefix", Value: "in/" },
                { Name: "suffix", Value: ".jpg" },
              ],
            },
          },
        },
      ],
    };
    await writeFile(path.join(dir, "n.json"), JSON.stringify(config));
    const put = () =>
      aws(
        "s3api",
        "put-bucket-notification-configuration",
        "--bucket",
        bucket,
        "--notification-configuration",
        "file://n.json",
      );
    const refused = await put();
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/InvalidArgument/);
    expect(refused.stderr).toMatch(/Unable to validate the following destination configurations/);
    const empty = await aws("s3api", "get-bucket-notification-configuration", "--bucket", bucket);
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout || "{}").LambdaFunctionConfigurations).toBeUndefined();

    const granted = await aws(
      "lambda",
      "add-permission",
      "--function-name",
      fnName,
      "--statement-id",
      `s3-${bucket}`,
      "--action",
      "lambda:InvokeFunction",
      "--principal",
      "s3.amazonaws.com",
      "--source-arn",
      `arn:aws:s3:::${bucket}`,
      "--source-account",
      stack.credentials.accountId,
    );
    expect(granted.code).toBe(0);
    const accepted = await put();
    expect(accepted.stderr).toBe("");
    expect(accepted.code).toBe(0);
    const got = await aws("s3api", "get-bucket-notification-configuration", "--bucket", bucket);
    expect(JSON.parse(got.stdout)).toEqual({
      LambdaFunctionConfigurations: [
        {
          Id: "thumbs",
          LambdaFunctionArn: arnOf(fnName),
          Events: ["s3:ObjectCreated:*"],
          Filter: {
            Key: {
              FilterRules: [
                { Name: "Prefix", Value: "in/" },
                { Name: "Suffix", Value: ".jpg" },
              ],
            },
          },
        },
      ],
    });
  });
});

describe("bindings through @aws-sdk/client-s3", () => {
  it("puts and gets a configuration; refuses an unpermitted function, a missing queue, EventBridge and other S3 operations", async () => {
    const bucket = uniqueName("docs");
    const refused = await s3
      .send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            LambdaFunctionConfigurations: [{ LambdaFunctionArn: arnOf(guardName), Events: ["s3:ObjectRemoved:*"] }],
          },
        }),
      )
      .catch((e: unknown) => e as S3ServiceException);
    expect(refused).toBeInstanceOf(S3ServiceException);
    expect((refused as S3ServiceException).name).toBe("InvalidArgument");
    expect((refused as S3ServiceException).message).toMatch(/Unable to validate/);

    const queue = await s3
      .send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                QueueArn: `arn:aws:sqs:${stack.region}:${stack.credentials.accountId}:no-such-queue`,
                Events: ["s3:ObjectCreated:*"],
              },
            ],
          },
        }),
      )
      .catch((e: unknown) => e as S3ServiceException);
    expect((queue as S3ServiceException).name).toBe("InvalidArgument");
    expect((queue as S3ServiceException).message).toMatch(/Unable to validate/);

    const bridge = await s3
      .send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: { EventBridgeConfiguration: {} },
        }),
      )
      .catch((e: unknown) => e as S3ServiceException);
    expect((bridge as S3ServiceException).name).toBe("InvalidArgument");
    expect((bridge as S3ServiceException).message).toMatch(/EventBridgeConfiguration is not supported/);

    const other = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket }))
      .catch((e: unknown) => e as S3ServiceException);
    expect((other as S3ServiceException).name).toBe("NotImplemented");
    expect((other as S3ServiceException).$metadata.httpStatusCode).toBe(501);

    const forged = new S3Client({
      endpoint: stack.endpoint,
      region: stack.region,
      forcePathStyle: true,
      credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: "not-the-secret" },
    });
    const unsigned = await forged
      .send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))
      .catch((e: unknown) => e as S3ServiceException)
      .finally(() => forged.destroy());
    expect((unsigned as S3ServiceException).name).toBe("SignatureDoesNotMatch");

    await bind(bucket, fnName, { suffix: ".pdf" });
    const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    expect(got.LambdaFunctionConfigurations).toEqual([
      {
        Id: `created-${bucket}`,
        LambdaFunctionArn: arnOf(fnName),
        Events: ["s3:ObjectCreated:*"],
        Filter: { Key: { FilterRules: [{ Name: "Suffix", Value: ".pdf" }] } },
      },
    ]);
    // An empty configuration clears the bucket's.
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: {} }));
    const cleared = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    expect(cleared.LambdaFunctionConfigurations).toBeUndefined();
  });
});

describe("notifications from S3-compatible stores", () => {
  it("a MinIO webhook post invokes the bound function with AWS's S3 event, prefix and suffix applied", async () => {
    const bucket = uniqueName("uploads");
    await bind(bucket, fnName, { prefix: "in/", suffix: ".jpg" });
    const answers = [];
    for (const [key, seq] of [
      ["in/my cat.jpg", "18A0001"],
      ["out/dog.jpg", "18A0002"],
      ["in/notes.txt", "18A0003"],
    ] as const) {
      const res = await notify(minioBody(bucket, key, seq), bearer());
      expect(res.status).toBe(200);
      answers.push(await res.json());
    }
    expect(answers).toEqual([
      { Records: 1, Invocations: 1 },
      { Records: 1, Invocations: 0 },
      { Records: 1, Invocations: 0 },
    ]);
    // MinIO retrying the same notification invokes nothing twice.
    expect(await (await notify(minioBody(bucket, "in/my cat.jpg", "18A0001"), bearer())).json()).toEqual({
      Records: 1,
      Invocations: 0,
    });

    const [event] = await received(fnName, bucket, 1);
    expect(event).toEqual({
      Records: [
        {
          eventVersion: "2.1",
          eventSource: "aws:s3",
          awsRegion: stack.region,
          eventTime: "2026-11-30T10:00:00.123Z",
          eventName: "ObjectCreated:Put",
          userIdentity: { principalId: "minioadmin" },
          requestParameters: { sourceIPAddress: "10.0.0.7" },
          responseElements: { "x-amz-request-id": "1800B2DA1E0EA3D1", "x-amz-id-2": "dd9025b" },
          s3: {
            s3SchemaVersion: "1.0",
            configurationId: `created-${bucket}`,
            bucket: { name: bucket, ownerIdentity: { principalId: "minioadmin" }, arn: `arn:aws:s3:::${bucket}` },
            object: {
              key: "in/my+cat.jpg",
              size: 2048,
              eTag: "d41d8cd98f00b204e9800998ecf8427e",
              sequencer: "18A0001",
            },
          },
        },
      ],
    } satisfies S3Event);
  });

  it("sends a queue destination the S3 event and a topic destination S3's notification, after a test event each", async () => {
    const bucket = uniqueName("reports");
    const queueName = uniqueName("s3-jobs");
    const fanName = uniqueName("s3-fan");
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl as string;
    const fanUrl = (await sqs.send(new CreateQueueCommand({ QueueName: fanName }))).QueueUrl as string;
    const account = stack.credentials.accountId;
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName("s3-news") }))).TopicArn as string;
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: `arn:aws:sqs:${stack.region}:${account}:${fanName}`,
      }),
    );
    const config = {
      QueueConfigurations: [
        {
          Id: "jobs",
          QueueArn: `arn:aws:sqs:${stack.region}:${account}:${queueName}`,
          Events: ["s3:ObjectCreated:*"],
          Filter: { Key: { FilterRules: [{ Name: "Suffix", Value: ".csv" }] } },
        },
      ],
      // Apart from the queue's keys: S3 refuses two configurations one event could reach.
      TopicConfigurations: [
        {
          Id: "news",
          TopicArn: topicArn,
          Events: ["s3:ObjectCreated:Put"],
          Filter: { Key: { FilterRules: [{ Name: "Suffix", Value: ".json" }] } },
        },
      ],
    };
    const put = await aws(
      "s3api",
      "put-bucket-notification-configuration",
      "--bucket",
      bucket,
      "--notification-configuration",
      JSON.stringify(config),
    );
    expect(put.code, put.stderr).toBe(0);
    const got = JSON.parse((await aws("s3api", "get-bucket-notification-configuration", "--bucket", bucket)).stdout);
    expect(got).toEqual(config);

    const next = async (url: string) =>
      waitFor(
        async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }))).Messages?.[0],
        20_000,
      );
    const test = JSON.parse((await next(queueUrl)).Body as string);
    expect(test).toMatchObject({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: bucket });
    const testNote = JSON.parse((await next(fanUrl)).Body as string);
    expect(testNote.Subject).toBe("Amazon S3 Notification");
    expect(JSON.parse(testNote.Message)).toMatchObject({ Event: "s3:TestEvent", Bucket: bucket });

    for (const [key, seq] of [
      ["q3.csv", "18B0001"],
      ["q3.json", "18B0002"],
    ]) {
      expect(await (await notify(minioBody(bucket, key as string, seq as string), bearer())).json()).toEqual({
        Records: 1,
        Invocations: 1,
      });
    }
    const direct = JSON.parse((await next(queueUrl)).Body as string) as S3Event;
    expect(direct.Records[0]?.s3).toMatchObject({
      configurationId: "jobs",
      bucket: { name: bucket },
      object: { key: "q3.csv" },
    });
    const note = JSON.parse((await next(fanUrl)).Body as string) as {
      Subject: string;
      Message: string;
      TopicArn: string;
    };
    expect(note).toMatchObject({ Subject: "Amazon S3 Notification", TopicArn: topicArn });
    expect((JSON.parse(note.Message) as S3Event).Records[0]?.s3.configurationId).toBe("news");
  });

  it("a Ceph RGW push (Basic credentials from the endpoint URL) invokes the bound function", async () => {
    const bucket = uniqueName("ceph");
    await bind(bucket, fnName);
    const ceph = {
      Records: [
        {
          eventVersion: "2.2",
          eventSource: "ceph:s3",
          awsRegion: "default",
          eventTime: "2026-11-30T11:22:33.456789Z",
          eventName: "ObjectCreated:CompleteMultipartUpload",
          userIdentity: { principalId: "tester" },
          requestParameters: { sourceIPAddress: "" },
          responseElements: { "x-amz-request-id": "a1b2.4711.1", "x-amz-id-2": "4711-default-default" },
          s3: {
            s3SchemaVersion: "1.0",
            configurationId: "notif1",
            bucket: {
              name: bucket,
              ownerIdentity: { principalId: "tester" },
              arn: `arn:aws:s3:default::${bucket}`,
              id: "a1b2.4711.38",
            },
            object: {
              key: "big file+v2.bin",
              size: "10485760",
              eTag: "9b2cf535f27731c974343645a3985328-2",
              versionId: "",
              sequencer: "7A3E2B6B5E3A1C2D",
              metadata: [],
              tags: [],
            },
          },
          eventId: "1764501753.456789.9b2cf535f27731c974343645a3985328-2",
          opaqueData: "",
        },
      ],
    };
    const basic = `Basic ${Buffer.from(`stratus:${source.Token}`).toString("base64")}`;
    const res = await notify(ceph, basic);
    expect(res.status).toBe(200);
    const [event] = await received(fnName, bucket, 1);
    expect(event?.Records[0]).toMatchObject({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "default",
      eventTime: "2026-11-30T11:22:33.456Z",
      eventName: "ObjectCreated:CompleteMultipartUpload",
      s3: {
        configurationId: `created-${bucket}`,
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key: "big+file%2Bv2.bin", size: 10485760, sequencer: "7A3E2B6B5E3A1C2D" },
      },
    });
    expect(event?.Records[0]?.s3.object).not.toHaveProperty("versionId");
  });

  it("a real object put on s3rver emits the record that reaches the function", async () => {
    const bucket = uniqueName("s3rver");
    await bind(bucket, fnName, { prefix: "reports/" });
    const server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: path.join(dir, "s3rver"),
      configureBuckets: [{ name: bucket }],
    });
    const posted: Array<Promise<Response>> = [];
    server.on("event", (event: unknown) => posted.push(notify(event, bearer())));
    const { port } = await server.run();
    const local = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      // s3rver predates aws-chunked uploads with trailing checksums.
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    try {
      const put = await local.send(
        new PutObjectCommand({ Bucket: bucket, Key: "reports/q3.csv", Body: "a,b\n1,2\n", ContentType: "text/csv" }),
      );
      await waitFor(async () => (posted.length === 1 ? true : undefined), 10_000, { what: "s3rver's event" });
      const answer = await (posted[0] as Promise<Response>);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ Records: 1, Invocations: 1 });
      const [event] = await received(fnName, bucket, 1);
      expect(event?.Records[0]).toMatchObject({
        eventVersion: "2.1",
        eventSource: "aws:s3",
        eventName: "ObjectCreated:Put",
        s3: {
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: { key: "reports/q3.csv", size: 8, eTag: put.ETag?.replace(/"/g, "") },
        },
      });
    } finally {
      local.destroy();
      await server.close();
    }
  });

  it("refuses a missing or wrong token and a malformed body, invoking nothing", async () => {
    const bucket = uniqueName("guarded");
    await bind(bucket, guardName);
    const body = minioBody(bucket, "x.jpg", "18B0001");
    expect((await notify(body)).status).toBe(401);
    expect((await notify(body, "Bearer not-the-token")).status).toBe(403);
    expect((await notify(body, bearer(), "src-000000000000000000000000")).status).toBe(403);
    const malformed = await notify('{"Records": [{"eventName": 7}]}', bearer());
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
    expect((await notify("not json", bearer())).status).toBe(400);
    expect(await asyncInvocations(stack, guardName)).toEqual([]);
    // MinIO probes its webhook with HEAD, token included.
    const probe = await fetch(new URL(source.EndpointPath, stack.endpoint), {
      method: "HEAD",
      headers: { authorization: bearer() },
    });
    expect(probe.status).toBe(200);
    // The right token, then, invokes exactly once.
    expect((await notify(body, bearer())).status).toBe(200);
    await received(guardName, bucket, 1);
    expect(await asyncInvocations(stack, guardName)).toHaveLength(1);
  });
});

describe("notifications through a RabbitMQ mapping (MinIO's AMQP target)", () => {
  let rmq: RabbitMq;
  let sm: SecretsManagerClient;
  afterAll(async () => {
    sm?.destroy();
    await rmq?.close();
  }, 60_000);

  /** Logs each message's decoded data, as a Lambda handler for Amazon MQ reads it. */
  const RMQ_ECHO = `exports.handler = async (event) => {
    for (const ms of Object.values(event.rmqMessagesByQueue))
      for (const m of ms) console.log("DATA " + Buffer.from(m.data, "base64").toString());
    return {};
  };`;

  it("hands the function AWS's S3 event in the message data", async () => {
    rmq = await startRabbitMq();
    const c = stack.credentials;
    const admin = JSON.parse(
      await (await import("node:fs/promises")).readFile(stack.adminKeyFile, "utf8"),
    ) as Credentials;
    const { rows } = await stack.db.query<{ name: string }>("SELECT name FROM accounts WHERE id = $1", [c.accountId]);
    const broker = await signedFetch(stack.endpoint, stack.region, admin, "/stratus/2026-11-01/brokers", {
      method: "POST",
      body: JSON.stringify({ Account: rows[0]?.name, Name: "objects", Url: rmq.url }),
    });
    expect(broker.status).toBe(201);
    const { BrokerArn } = (await broker.json()) as { BrokerArn: string };
    sm = new SecretsManagerClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
    });
    const secret = await sm.send(
      new CreateSecretCommand({
        Name: uniqueName("mq"),
        SecretString: JSON.stringify({ username: "guest", password: "guest" }),
      }),
    );
    const fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": RMQ_ECHO },
    });
    const queue = uniqueName("minio-events");
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${rmq.port}`);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(queue, { durable: true });
      const made = await stack.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: fn,
          EventSourceArn: BrokerArn,
          Queues: [queue],
          SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: secret.ARN }],
        }),
      );
      await until(
        "mapping enabled",
        async () =>
          (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: made.UUID }))).State === "Enabled",
        20_000,
      );
      // What MinIO's AMQP target publishes is its webhook's body.
      ch.sendToQueue(queue, Buffer.from(JSON.stringify(minioBody("mq-bucket", "in/a b.png", "18C0001"))), {
        contentType: "application/json",
      });
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
    const line = await waitFor(
      async () => {
        const { rows: logs } = await stack.db.query<{ log: string }>(
          "SELECT log FROM invocation_logs WHERE function_name = $1",
          [fn],
        );
        return logs.map((r) => /DATA (.*)/.exec(r.log)?.[1]).find((l) => l !== undefined);
      },
      45_000,
      { what: "the mapping's delivery", intervalMs: 300 },
    );
    const event = JSON.parse(line) as S3Event;
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: stack.region,
      eventName: "ObjectCreated:Put",
      s3: {
        configurationId: "Config",
        bucket: { name: "mq-bucket", arn: "arn:aws:s3:::mq-bucket" },
        object: { key: "in/a+b.png", size: 2048, sequencer: "18C0001" },
      },
    });
  }, 120_000);
});
