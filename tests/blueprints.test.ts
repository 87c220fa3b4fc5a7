// Every blueprint in examples/ (a folder with a stratus.json) made into a function
// with the real `stratus init --blueprint` and `stratus deploy`, then run the way its
// README says: hello by invoke, the HTTP API through a function URL, the scheduled job
// by a one-off schedule, the queue consumer from a RabbitMQ queue through an event
// source mapping (and its partial-batch answer), the workflow sequence as a state
// machine built from its statemachine.asl.json, the bucket thumbnailer on the
// notifications of a store (s3rver) its container reaches.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { crc32, deflateSync } from "node:zlib";
import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetFunctionCommand,
  InvokeCommand,
} from "@aws-sdk/client-lambda";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./helpers/poll.js";
import { type RabbitMq, startRabbitMq } from "./helpers/rabbitmq.js";
import { type S3Store, startS3Store } from "./helpers/s3-store.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import type { Credentials } from "./helpers/stack.js";
import { runStratus, stratusEnv } from "./helpers/stratus-cli.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_SCHEDULE_POLL_MS: "200" } });
let home: string;
let env: NodeJS.ProcessEnv;
const stratus = (...args: string[]) => runStratus(args, env, home);
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "stratus-blueprints-"));
  env = stratusEnv(stack, home);
});

afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** `stratus init NAME --blueprint B` then `stratus deploy NAME`: the function's folder. */
async function deployed(blueprint: string, name = unique(blueprint)): Promise<{ name: string; dir: string }> {
  const init = await stratus("init", name, "--blueprint", blueprint);
  expect(init.code, init.stderr).toBe(0);
  const deploy = await stratus("deploy", name);
  expect(deploy.code, deploy.stderr).toBe(0);
  return { name, dir: path.join(home, name) };
}

const invoke = async (name: string, payload: unknown) => {
  const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }));
  return { error: out.FunctionError, body: JSON.parse(Buffer.from(out.Payload ?? []).toString("utf8")) };
};

/** The function's log lines stored so far. */
async function logsOf(name: string): Promise<string> {
  const { rows } = await stack.db.query<{ log: string }>(
    "SELECT log FROM invocation_logs WHERE function_name = $1 ORDER BY started_at",
    [name],
  );
  return rows.map((r) => r.log).join("\n");
}

describe("blueprints", () => {
  it.each([
    ["hello-node", "node"],
    ["hello-python", "python"],
  ])("%s greets by invoke", async (blueprint, who) => {
    const { name } = await deployed(blueprint);
    const r = await stratus("invoke", name, "--payload", JSON.stringify({ name: who }));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ message: `Hello, ${who}!`, function: name });
  });

  it("http-api answers its routes on a function URL", async () => {
    const { name } = await deployed("http-api");
    const u = await stratus("url", name, "--output", "json");
    expect(u.code, u.stderr).toBe(0);
    const base = (JSON.parse(u.stdout) as { FunctionUrl: string }).FunctionUrl;
    const hello = await fetch(`${base}hello?name=url`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ message: "Hello, url!" });
    const echo = await fetch(`${base}echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await echo.json()).toEqual({ received: { a: 1 } });
    const bad = await fetch(`${base}echo`, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await fetch(`${base}nowhere`)).status).toBe(404);
  });

  it("scheduled-job runs when its schedule comes due", async () => {
    const { name } = await deployed("scheduled-job");
    const due = new Date(Date.now() + 3_000).toISOString().slice(0, 19);
    const marker = unique("job");
    const s = await stratus("schedule", name, `at(${due})`, "--payload", JSON.stringify({ job: marker }));
    expect(s.code, s.stderr).toBe(0);
    await waitFor(
      async () => ((await logsOf(name)).includes(`scheduled job ${marker} ran`) ? true : undefined),
      60_000,
      {
        what: "the scheduled run",
      },
    );
  });

  describe("queue-consumer", () => {
    let rmq: RabbitMq;
    beforeAll(async () => {
      rmq = await startRabbitMq();
    }, 120_000);
    afterAll(async () => {
      await rmq?.close();
    });

    it("reports only the messages it could not process", async () => {
      const { name } = await deployed("queue-consumer");
      const record = (id: string, body: string) => ({ messageId: id, body, eventSource: "aws:sqs" });
      const sqs = await invoke(name, {
        Records: [
          record("m1", JSON.stringify({ id: "o1", quantity: 2 })),
          record("m2", "not json"),
          record("m3", JSON.stringify({ id: "o3", quantity: 0 })),
        ],
      });
      expect(sqs).toEqual({
        error: undefined,
        body: { batchItemFailures: [{ itemIdentifier: "m2" }, { itemIdentifier: "m3" }] },
      });
    });

    it("processes every order published to a RabbitMQ queue mapped to it", async () => {
      const { name } = await deployed("queue-consumer");
      const admin = JSON.parse(await readFile(stack.adminKeyFile, "utf8")) as Credentials;
      const c = stack.credentials;
      const { rows } = await stack.db.query<{ name: string }>("SELECT name FROM accounts WHERE id = $1", [c.accountId]);
      const res = await signedFetch(stack.endpoint, stack.region, admin, "/stratus/2026-11-01/brokers", {
        method: "POST",
        body: JSON.stringify({ Account: rows[0]?.name, Name: unique("orders"), Url: rmq.url }),
      });
      expect(res.status).toBe(201);
      const brokerArn = ((await res.json()) as { BrokerArn: string }).BrokerArn;
      const sm = new SecretsManagerClient({ endpoint: stack.endpoint, region: stack.region, credentials: c });
      const secret = await sm.send(
        new CreateSecretCommand({
          Name: unique("mq"),
          SecretString: JSON.stringify({ username: "guest", password: "guest" }),
        }),
      );
      const queue = unique("orders");
      const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${rmq.port}`);
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(queue, { durable: true });
      const mapping = await stack.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: name,
          EventSourceArn: brokerArn,
          Queues: [queue],
          SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: secret.ARN }],
          BatchSize: 5,
        }),
      );
      for (let i = 0; i < 6; i++) ch.sendToQueue(queue, Buffer.from(JSON.stringify({ id: `o${i}`, quantity: i + 1 })));
      await ch.waitForConfirms();
      await conn.close();
      await waitFor(
        async () => {
          const log = await logsOf(name);
          return [0, 1, 2, 3, 4, 5].every((i) => log.includes(`processed order o${i} x${i + 1}`)) ? true : undefined;
        },
        90_000,
        { what: "six orders processed" },
      );
      await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
      sm.destroy();
    }, 150_000);
  });

  it("workflow-sequence runs as the state machine its README builds", async () => {
    const { name, dir } = await deployed("workflow-sequence");
    const fn = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const template = await readFile(path.join(dir, "statemachine.asl.json"), "utf8");
    const definition = template.replaceAll("${FunctionArn}", fn.Configuration?.FunctionArn as string);
    const sfn = new SFNClient({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
    const machine = await sfn.send(
      new CreateStateMachineCommand({
        name: unique("orders"),
        definition,
        roleArn: `arn:aws:iam::${stack.credentials.accountId}:role/states`,
      }),
    );
    const run = async (input: unknown) => {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: JSON.stringify(input) }),
      );
      return waitFor(
        async () => {
          const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          return d.status === "RUNNING" ? undefined : d;
        },
        90_000,
        { what: "the execution's end", intervalMs: 250 },
      );
    };
    const ok = await run({
      items: [
        { sku: "a", price: 2.5, quantity: 2 },
        { sku: "b", price: 1, quantity: 1 },
      ],
    });
    expect(ok.status).toBe("SUCCEEDED");
    expect(JSON.parse(ok.output as string)).toMatchObject({ valid: true, total: 6, confirmation: "ORD-6.00-2" });
    const rejected = await run({ items: [] });
    expect({ status: rejected.status, error: rejected.error }).toEqual({ status: "FAILED", error: "OrderRejected" });
    sfn.destroy();
  }, 150_000);
});

/** An RGB PNG of `width` x `height` (a gradient), written with zlib alone. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([x % 256, y % 256, 128], y * (width * 3 + 1) + 1 + x * 3);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A PNG's size, from its IHDR chunk. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(bytes);
  expect(b.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe("bucket-thumbnailer", () => {
  const bucket = unique("photos");
  const posted: Array<Promise<Response>> = [];
  let store: S3Store;
  let s3: S3Client;

  beforeAll(async () => {
    const made = await signedFetch(
      stack.endpoint,
      stack.region,
      stack.credentials,
      "/stratus/2026-11-01/object-sources",
      {
        method: "POST",
        body: JSON.stringify({ Name: unique("s3rver") }),
      },
    );
    expect(made.status).toBe(201);
    const source = (await made.json()) as { Token: string; EndpointPath: string };
    // The store's notifications, posted to Stratus as its webhook would.
    store = await startS3Store([bucket], (event) =>
      posted.push(
        fetch(new URL(source.EndpointPath, stack.endpoint), {
          method: "POST",
          headers: { authorization: `Bearer ${source.Token}`, "content-type": "application/json" },
          body: JSON.stringify(event),
        }),
      ),
    );
    s3 = new S3Client({
      endpoint: store.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      requestChecksumCalculation: "WHEN_REQUIRED", // s3rver predates aws-chunked uploads
    });
  }, 60_000);

  afterAll(async () => {
    s3?.destroy();
    await store?.close();
  });

  it("writes a thumbnail at most 200 px wide of a PNG put in the bucket, and skips its own thumbnails", async () => {
    const name = unique("thumbs");
    const init = await stratus("init", name, "--blueprint", "bucket-thumbnailer");
    expect(init.code, init.stderr).toBe(0);
    const dir = path.join(home, name);
    // As its README says: Linux x64 (glibc) dependencies, then the store's address and keys.
    const npm = path.join(path.dirname(process.execPath), "npm");
    await promisify(execFile)(existsSync(npm) ? npm : "npm", ["ci", "--os=linux", "--cpu=x64", "--libc=glibc"], {
      cwd: dir,
    });
    const config = JSON.parse(await readFile(path.join(dir, "stratus.json"), "utf8"));
    config.environment = { S3_ENDPOINT: store.endpoint, S3_ACCESS_KEY_ID: "S3RVER", S3_SECRET_ACCESS_KEY: "S3RVER" };
    await writeFile(path.join(dir, "stratus.json"), JSON.stringify(config));
    const deploy = await stratus("deploy", name);
    expect(deploy.code, deploy.stderr).toBe(0);
    const fn = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    await stack.lambda.send(
      new AddPermissionCommand({
        FunctionName: name,
        StatementId: "s3",
        Action: "lambda:InvokeFunction",
        Principal: "s3.amazonaws.com",
        SourceArn: `arn:aws:s3:::${bucket}`,
      }),
    );
    const stratusS3 = new S3Client({
      endpoint: stack.endpoint,
      region: stack.region,
      forcePathStyle: true,
      credentials: stack.credentials,
    });
    await stratusS3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              Id: "thumbs",
              LambdaFunctionArn: fn.Configuration?.FunctionArn,
              Events: ["s3:ObjectCreated:*"],
            },
          ],
        },
      }),
    );
    stratusS3.destroy();

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "trip/beach.png", Body: png(800, 600) }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "notes.txt", Body: "not an image" }));
    const thumb = await waitFor(
      async () => {
        const got = await s3
          .send(new GetObjectCommand({ Bucket: bucket, Key: "thumbnails/trip/beach.png" }))
          .catch(() => undefined);
        return got ? await got.Body?.transformToByteArray() : undefined;
      },
      120_000,
      { what: "thumbnails/trip/beach.png in the store", intervalMs: 500 },
    ).catch(async (err: Error) => {
      const answers = await Promise.all(posted.map((p) => p.then((r) => r.status)));
      throw new Error(`${err.message}; notifications answered ${answers}; the function's log:\n${await logsOf(name)}`);
    });
    expect(pngSize(thumb)).toEqual({ width: 200, height: 150 });
    // The thumbnail's own notification runs the function, which leaves it alone.
    await waitFor(
      async () => {
        const log = await logsOf(name);
        return log.includes(`skipped ${bucket}/thumbnails/trip/beach.png`) &&
          log.includes(`skipped ${bucket}/notes.txt`)
          ? true
          : undefined;
      },
      60_000,
      { what: "the thumbnail's and the text file's events skipped" },
    );
    const answers = await Promise.all(posted);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual([
      "notes.txt",
      "thumbnails/trip/beach.png",
      "trip/beach.png",
    ]);
  }, 240_000);
});
