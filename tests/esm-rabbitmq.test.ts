// Event source mappings from a real RabbitMQ (Debian's rabbitmq-server on loopback,
// started here): mapping CRUD through @aws-sdk/client-lambda and the AWS CLI, N
// messages in → N seen by the function once each, in queue order; a poison message
// retried then dead-lettered without blocking its queue; wrong credentials shown as a
// PROBLEM and recovered once the secret is fixed; a broker stopped and restarted.
// Invocations are counted from the function's own log lines.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction } from "./helpers/functions.js";
import { until, waitFor } from "./helpers/poll.js";
import { type RabbitMq, startRabbitMq } from "./helpers/rabbitmq.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import type { Credentials } from "./helpers/stack.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_ESM_LEASE_MS: "3000" } });
let rmq: RabbitMq;
let sm: SecretsManagerClient;
let dir: string;
let brokerArn: string;
let goodSecret: string;

// Throws for a message whose data says poison (before logging anything), else logs one line per message.
const HANDLER = `exports.handler = async (event) => {
  const [[key, messages]] = Object.entries(event.rmqMessagesByQueue);
  const bodies = messages.map((m) => JSON.parse(Buffer.from(m.data, "base64").toString()));
  if (bodies.some((b) => b.poison)) throw new Error("poison message");
  for (const b of bodies) console.log("SEEN " + key + " " + b.seq + " " + event.eventSource);
  return {};
};`;

const unique = (p: string) => `${p}-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  rmq = await startRabbitMq();
  dir = await mkdtemp(path.join(tmpdir(), "stratus-esm-"));
  const c = stack.credentials;
  sm = new SecretsManagerClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
  });
  const admin = JSON.parse(
    await (await import("node:fs/promises")).readFile(stack.adminKeyFile, "utf8"),
  ) as Credentials;
  const { rows } = await stack.db.query<{ name: string }>("SELECT name FROM accounts WHERE id = $1", [c.accountId]);
  const res = await signedFetch(stack.endpoint, stack.region, admin, "/stratus/2026-11-01/brokers", {
    method: "POST",
    body: JSON.stringify({ Account: rows[0]?.name, Name: "main", Url: rmq.url }),
  });
  expect(res.status).toBe(201);
  brokerArn = ((await res.json()) as { BrokerArn: string }).BrokerArn;
  expect(brokerArn).toMatch(new RegExp(`^arn:aws:mq:us-east-1:${c.accountId}:broker:main:b-[0-9a-f-]{36}$`));
  goodSecret = (
    await sm.send(
      new CreateSecretCommand({
        Name: unique("mq"),
        SecretString: JSON.stringify({ username: "guest", password: "guest" }),
      }),
    )
  ).ARN as string;
}, 120_000);

afterAll(async () => {
  sm?.destroy();
  await rmq?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

async function publish(queue: string, bodies: unknown[], dlq?: string): Promise<void> {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${rmq.port}`);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, {
    durable: true,
    ...(dlq ? { arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq } } : {}),
  });
  if (dlq) await ch.assertQueue(dlq, { durable: true });
  for (const b of bodies) ch.sendToQueue(queue, Buffer.from(JSON.stringify(b)), { contentType: "application/json" });
  await ch.waitForConfirms();
  await conn.close();
}

async function queueDepth(queue: string): Promise<number> {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${rmq.port}`);
  const ch = await conn.createChannel();
  const q = await ch.checkQueue(queue);
  await conn.close();
  return q.messageCount;
}

/** The seq numbers the function logged as seen, in the order it saw them, from its successful invocations. */
async function seen(functionName: string): Promise<number[]> {
  const { rows } = await stack.db.query<{ log: string }>(
    "SELECT log FROM invocation_logs WHERE function_name = $1 ORDER BY started_at",
    [functionName],
  );
  return rows.flatMap((r) => [...r.log.matchAll(/SEEN \S+ (\d+) aws:rmq/g)].map((m) => Number(m[1])));
}

const access = (secret: string) => [{ Type: "BASIC_AUTH" as const, URI: secret }];

async function mappingState(uuid: string) {
  return stack.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
}

describe("event source mappings from RabbitMQ", () => {
  it("delivers N messages to the function once each, in queue order", async () => {
    const fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": HANDLER },
    });
    const queue = unique("orders");
    await publish(queue, []);
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn,
        EventSourceArn: brokerArn,
        Queues: [queue],
        SourceAccessConfigurations: access(goodSecret),
        BatchSize: 7,
      }),
    );
    expect(made).toMatchObject({
      State: "Creating",
      BatchSize: 7,
      Queues: [queue],
      StateTransitionReason: "USER_INITIATED",
    });
    await until("Enabled", async () => (await mappingState(made.UUID as string)).State === "Enabled", 20_000);
    const N = 40;
    await publish(
      queue,
      Array.from({ length: N }, (_, i) => ({ seq: i })),
    );
    const got = await waitFor(async () => {
      const s = await seen(fn);
      return s.length >= N ? s : undefined;
    }, 60_000);
    expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
    await until("queue drained", async () => (await queueDepth(queue)) === 0, 20_000);
    expect((await mappingState(made.UUID as string)).LastProcessingResult).toBe("OK");
  }, 120_000);

  it("retries a poison message alone, dead-letters it, and keeps the queue moving", async () => {
    const fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": HANDLER },
    });
    const queue = unique("poison");
    const dlq = `${queue}-dlq`;
    await publish(queue, [], dlq);
    await publish(queue, [{ seq: 0 }, { seq: 1, poison: true }, { seq: 2 }, { seq: 3 }], dlq);
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn,
        EventSourceArn: brokerArn,
        Queues: [queue],
        SourceAccessConfigurations: access(goodSecret),
        BatchSize: 10,
        MaximumRetryAttempts: 1,
      }),
    );
    await until("the dead letter arrives", async () => (await queueDepth(dlq)) === 1, 60_000);
    await until("the others are seen", async () => (await seen(fn)).length === 3, 30_000);
    expect((await seen(fn)).sort()).toEqual([0, 2, 3]);
    expect(await queueDepth(queue)).toBe(0);
    const failedRuns = await stack.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM invocation_logs WHERE function_name = $1 AND log LIKE '%poison message%'",
      [fn],
    );
    // Once in its first batch, then alone: its first try and one retry.
    expect(Number(failedRuns.rows[0]?.n)).toBeGreaterThanOrEqual(3);
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
  }, 120_000);

  it("shows wrong credentials as a PROBLEM and recovers once the secret is fixed; survives a broker restart", async () => {
    const fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": HANDLER },
    });
    const queue = unique("creds");
    await publish(queue, [{ seq: 1 }]);
    const secret = (
      await sm.send(
        new CreateSecretCommand({
          Name: unique("bad"),
          SecretString: JSON.stringify({ username: "guest", password: "nope" }),
        }),
      )
    ).ARN as string;
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn,
        EventSourceArn: brokerArn,
        Queues: [queue],
        SourceAccessConfigurations: access(secret),
      }),
    );
    const uuid = made.UUID as string;
    const problem = await waitFor(async () => {
      const r = (await mappingState(uuid)).LastProcessingResult ?? "";
      return r.startsWith("PROBLEM") ? r : undefined;
    }, 30_000);
    expect(problem).toMatch(/^PROBLEM: Invalid credentials\..*refused the username and password/);
    expect(await seen(fn)).toEqual([]);

    await sm.send(
      new PutSecretValueCommand({
        SecretId: secret,
        SecretString: JSON.stringify({ username: "guest", password: "guest" }),
      }),
    );
    await until("the message is seen", async () => (await seen(fn)).length === 1, 60_000);
    await until("OK", async () => (await mappingState(uuid)).LastProcessingResult === "OK", 20_000);

    await rmq.stop();
    const down = await waitFor(async () => {
      const r = (await mappingState(uuid)).LastProcessingResult ?? "";
      return r.startsWith("PROBLEM") ? r : undefined;
    }, 30_000);
    expect(down).toMatch(/^PROBLEM: Connection error\./);
    await rmq.start();
    await publish(queue, [{ seq: 2 }]);
    await until("seen after the restart", async () => (await seen(fn)).length === 2, 60_000);
    expect(await seen(fn)).toEqual([1, 2]);
  }, 180_000);

  it("CRUD through the SDK: update, disable, list by function and source, pages, delete", async () => {
    const fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": HANDLER },
    });
    const queues = [unique("a"), unique("b"), unique("c")];
    const uuids: string[] = [];
    for (const q of queues) {
      const m = await stack.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: `arn:aws:lambda:us-east-1:${stack.credentials.accountId}:function:${fn}`,
          EventSourceArn: brokerArn,
          Queues: [q],
          SourceAccessConfigurations: [...access(goodSecret), { Type: "VIRTUAL_HOST", URI: "/" }],
          Enabled: false,
          FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { seq: [{ numeric: [">", 5] }] } }) }] },
        }),
      );
      uuids.push(m.UUID as string);
    }
    await until("Disabled", async () => (await mappingState(uuids[0] as string)).State === "Disabled", 20_000);
    const updated = await stack.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuids[0], BatchSize: 500, MaximumBatchingWindowInSeconds: 2 }),
    );
    expect(updated).toMatchObject({ State: "Updating", BatchSize: 500, MaximumBatchingWindowInSeconds: 2 });
    await until("back to Disabled", async () => (await mappingState(uuids[0] as string)).State === "Disabled", 20_000);

    const page1 = await stack.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn, MaxItems: 2 }));
    expect(page1.EventSourceMappings).toHaveLength(2);
    const page2 = await stack.lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: fn, MaxItems: 2, Marker: page1.NextMarker }),
    );
    expect(
      [...(page1.EventSourceMappings ?? []), ...(page2.EventSourceMappings ?? [])].map((m) => m.UUID).sort(),
    ).toEqual([...uuids].sort());
    expect(page2.NextMarker).toBeUndefined();
    const bySource = await stack.lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: brokerArn }));
    expect(bySource.EventSourceMappings?.map((m) => m.UUID)).toEqual(expect.arrayContaining(uuids));

    // Filtered out messages are acked and dropped: only seq > 5 reaches the function.
    await publish(queues[1] as string, [{ seq: 1 }, { seq: 7 }, { seq: 3 }, { seq: 9 }]);
    await stack.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuids[1], Enabled: true }));
    await until("filtered delivered", async () => (await seen(fn)).length === 2, 60_000);
    await until("filtered-out acked", async () => (await queueDepth(queues[1] as string)) === 0, 20_000);
    expect(await seen(fn)).toEqual([7, 9]);

    for (const uuid of uuids) {
      const d = await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
      expect(d.State).toBe("Deleting");
    }
    await until(
      "deleted",
      async () => {
        const err = await mappingState(uuids[0] as string).then(
          () => undefined,
          (e: Error) => e,
        );
        return err?.name === "ResourceNotFoundException";
      },
      20_000,
    );
  }, 180_000);

  it("refuses bad input by name and changes nothing", async () => {
    const fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": HANDLER },
    });
    const base = {
      FunctionName: fn,
      EventSourceArn: brokerArn,
      Queues: ["q"],
      SourceAccessConfigurations: access(goodSecret),
    };
    const refused = async (input: object, message: RegExp | string) => {
      const err = await stack.lambda.send(new CreateEventSourceMappingCommand(input as never)).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.name).toBe("InvalidParameterValueException");
      expect(err?.message).toMatch(message);
    };
    await refused({ ...base, StartingPosition: "LATEST" }, /StartingPosition is not supported/);
    await refused(
      { ...base, DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:1:q" } } },
      /DestinationConfig/,
    );
    await refused({ ...base, BatchSize: 10_001 }, /BatchSize/);
    await refused({ ...base, EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s" }, /RabbitMQ brokers/);
    // An SQS queue takes no Queues: Lambda's own refusal.
    await refused(
      { ...base, EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:q" },
      "Queues is not valid for SQS event sources.",
    );
    await refused({ ...base, EventSourceArn: `${brokerArn.slice(0, -4)}0000` }, /not registered/);
    await refused({ ...base, SourceAccessConfigurations: [] }, /BASIC_AUTH/);
    await refused({ ...base, FilterCriteria: { Filters: [{ Pattern: "{nope" }] } }, /filter pattern/);
    const missing = await stack.lambda
      .send(new CreateEventSourceMappingCommand({ ...base, FunctionName: "no-such-fn" }))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(missing?.name).toBe("ResourceNotFoundException");
    const listed = await stack.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn }));
    expect(listed.EventSourceMappings).toEqual([]);
  }, 60_000);

  it("CRUD through the AWS CLI", async () => {
    const fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": HANDLER },
    });
    const cli = async (...args: string[]) => {
      const r = await runAwsCli(stack, dir, ["lambda", ...args]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const made = await cli(
      "create-event-source-mapping",
      "--function-name",
      fn,
      "--event-source-arn",
      brokerArn,
      "--queues",
      unique("cli"),
      "--source-access-configurations",
      `Type=BASIC_AUTH,URI=${goodSecret}`,
      "--batch-size",
      "20",
    );
    expect(made).toMatchObject({ State: "Creating", BatchSize: 20, EventSourceArn: brokerArn });
    const uuid = String(made.UUID);
    await until(
      "Enabled",
      async () => (await cli("get-event-source-mapping", "--uuid", uuid)).State === "Enabled",
      20_000,
    );
    const upd = await cli("update-event-source-mapping", "--uuid", uuid, "--no-enabled");
    expect(upd.State).toBe("Disabling");
    await until(
      "Disabled",
      async () => (await cli("get-event-source-mapping", "--uuid", uuid)).State === "Disabled",
      20_000,
    );
    const list = await cli("list-event-source-mappings", "--function-name", fn);
    expect((list.EventSourceMappings as Array<{ UUID: string }>).map((m) => m.UUID)).toEqual([uuid]);
    const del = await cli("delete-event-source-mapping", "--uuid", uuid);
    expect(del.State).toBe("Deleting");
    const bad = await runAwsCli(stack, dir, ["lambda", "get-event-source-mapping", "--uuid", "not-a-uuid"]);
    expect(bad.stderr).toContain("(ResourceNotFoundException)");
  }, 120_000);
});
