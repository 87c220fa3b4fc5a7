// Self-managed Kafka event source mappings against a Kafka-protocol cluster of the
// test's own (librdkafka's mock cluster through kcat): mapping CRUD through
// @aws-sdk/client-lambda and the AWS CLI; N records over several partitions → each
// seen once, in offset order per partition, offsets committed; a poison record retried
// then written to the kafka:// OnFailure topic while its partition moves on; an
// unreachable cluster shown as a PROBLEM and recovered once it can be reached.
// What the function saw is read from its own log lines.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction } from "./helpers/functions.js";
import { type KafkaMock, lateForwarder, startKafkaMock } from "./helpers/kafka.js";
import { until, waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_ESM_LEASE_MS: "3000" } });
let kafka: KafkaMock;
let dir: string;

// Throws for a batch holding a poison record (before logging anything), else logs one line per record.
const HANDLER = `exports.handler = async (event) => {
  const records = Object.entries(event.records).flatMap(([key, list]) => list.map((r) => ({ key, r })));
  const bodies = records.map(({ r }) => JSON.parse(Buffer.from(r.value, "base64").toString()));
  if (bodies.some((b) => b.poison)) throw new Error("poison record");
  records.forEach(({ key, r }, i) => {
    const header = r.headers.map((h) => Object.keys(h)[0] + "=" + Buffer.from(Object.values(h)[0]).toString()).join(",");
    console.log("SEEN " + [key, r.partition, r.offset, bodies[i].seq, event.eventSource, event.bootstrapServers, r.timestampType, header].join(" "));
  });
  return {};
};`;

const unique = (p: string) => `${p}-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  kafka = await startKafkaMock();
  dir = await mkdtemp(path.join(tmpdir(), "stratus-kafka-"));
}, 60_000);

afterAll(async () => {
  await kafka?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

interface Seen {
  key: string;
  partition: number;
  offset: number;
  seq: number;
  line: string;
}

/** What the function logged as seen, in the order its invocations started. */
async function seen(functionName: string): Promise<Seen[]> {
  const { rows } = await stack.db.query<{ log: string }>(
    "SELECT log FROM invocation_logs WHERE function_name = $1 ORDER BY started_at",
    [functionName],
  );
  return rows.flatMap((r) =>
    [...r.log.matchAll(/SEEN (\S+) (\d+) (\d+) (\d+) [^\n]*/g)].map((m) => ({
      key: m[1] as string,
      partition: Number(m[2]),
      offset: Number(m[3]),
      seq: Number(m[4]),
      line: m[0],
    })),
  );
}

const newFunction = () =>
  deployFunction(stack, { runtime: "nodejs22.x", handler: "index.handler", files: { "index.js": HANDLER } });

const source = () => ({ Endpoints: { KAFKA_BOOTSTRAP_SERVERS: [kafka.bootstrap] } });
const mapping = (uuid: string) => stack.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));

describe("event source mappings from self-managed Kafka", () => {
  it("with ReportBatchItemFailures (AWS CLI), commits up to a reported record and retries from it", async () => {
    // Names each poison record as failed (string form), logs the others.
    const partial = `exports.handler = async (event) => {
  const failures = [];
  for (const list of Object.values(event.records)) {
    for (const r of list) {
      const body = JSON.parse(Buffer.from(r.value, "base64").toString());
      if (body.poison) failures.push({ itemIdentifier: r.topic + "-" + r.partition + "-" + r.offset });
      else console.log("SEEN " + r.topic + "-" + r.partition + " " + r.partition + " " + r.offset + " " + body.seq + " ok");
    }
  }
  return { batchItemFailures: failures };
};`;
    const fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": partial },
    });
    const topic = unique("partial");
    const dlq = `${topic}-failed`;
    await kafka.produce(
      topic,
      [0, 1, 2, 3, 4].map((seq) => ({ partition: 0, value: seq === 3 ? { seq, poison: true } : { seq } })),
    );
    const r = await runAwsCli(stack, dir, [
      "lambda",
      "create-event-source-mapping",
      "--function-name",
      fn,
      "--topics",
      topic,
      "--self-managed-event-source",
      JSON.stringify(source()),
      "--starting-position",
      "TRIM_HORIZON",
      "--function-response-types",
      "ReportBatchItemFailures",
      "--maximum-retry-attempts",
      "1",
      "--destination-config",
      JSON.stringify({ OnFailure: { Destination: `kafka://${dlq}` } }),
    ]);
    expect(r.stderr).toBe("");
    const made = JSON.parse(r.stdout) as { UUID: string; FunctionResponseTypes: string[] };
    expect(made.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    const got = await mapping(made.UUID);
    expect(got.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    // Records before the reported one are done once; from it on they are retried (once), then
    // given up to the OnFailure topic (3, and 4 when it shared 3's batch).
    await until(
      "offsets committed past every record",
      async () => (await kafka.committed(made.UUID, topic))[0] === 5,
      30_000,
    );
    const failed = (await kafka.readAll(dlq, 2)).map((f) => (JSON.parse(f.value) as { seq: number }).seq);
    expect(failed).toContain(3);
    expect(failed.filter((seq) => seq < 3)).toEqual([]);
    const s = await seen(fn);
    for (const offset of [0, 1, 2]) expect(s.filter((x) => x.offset === offset)).toHaveLength(1);
    expect(s.some((x) => x.offset === 3)).toBe(false);
    const off = await stack.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: made.UUID, FunctionResponseTypes: [] }),
    );
    expect(off.FunctionResponseTypes).toEqual([]);
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
  }, 120_000);

  it("delivers N records over several partitions once each, in offset order per partition", async () => {
    const fn = await newFunction();
    const topic = unique("orders");
    const N = 60;
    // Spread over partitions 0..2 (partition 3 stays empty).
    await kafka.produce(
      topic,
      Array.from({ length: N }, (_, i) => ({ partition: i % 3, value: { seq: i }, key: `k${i}` })),
    );
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn,
        Topics: [topic],
        SelfManagedEventSource: source(),
        StartingPosition: "TRIM_HORIZON",
        BatchSize: 7,
      }),
    );
    const uuid = made.UUID as string;
    expect(made).toMatchObject({
      State: "Creating",
      Topics: [topic],
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 7,
      SelfManagedEventSource: source(),
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: uuid },
      MaximumRetryAttempts: -1,
      BisectBatchOnFunctionError: false,
    });
    expect(made.EventSourceArn).toBeUndefined();
    const got = await waitFor(
      async () => {
        const s = await seen(fn);
        return new Set(s.map((x) => x.seq)).size >= N ? s : undefined;
      },
      90_000,
      { what: "every record seen", intervalMs: 250 },
    );
    expect(got.map((s) => s.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(got).toHaveLength(N);
    for (const p of [0, 1, 2]) {
      const offsets = got.filter((s) => s.partition === p).map((s) => s.offset);
      expect(offsets).toHaveLength(N / 3);
      // Strictly increasing in invocation order: the partition's order kept, nothing twice.
      expect(offsets).toEqual(Array.from({ length: N / 3 }, (_, i) => i));
      expect(got.filter((s) => s.partition === p).every((s) => s.key === `${topic}-${p}`)).toBe(true);
    }
    expect(got[0]?.line).toContain(` SelfManagedKafka ${kafka.bootstrap} CREATE_TIME test-header=yes`);
    await until(
      "offsets committed",
      async () => {
        const c = await kafka.committed(uuid, topic);
        return c[0] === N / 3 && c[1] === N / 3 && c[2] === N / 3;
      },
      20_000,
    );
    await until("OK", async () => (await mapping(uuid)).LastProcessingResult === "OK", 20_000);
    await until("Enabled", async () => (await mapping(uuid)).State === "Enabled", 20_000);
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
  }, 150_000);

  it("retries a poison record, writes it to the OnFailure topic, and moves its partition on", async () => {
    const fn = await newFunction();
    const topic = unique("poison");
    const dlq = `${topic}-failed`;
    await kafka.produce(topic, [
      { partition: 0, value: { seq: 0 } },
      { partition: 0, value: { seq: 1, poison: true } },
      { partition: 0, value: { seq: 2 } },
      { partition: 1, value: { seq: 10 } },
      { partition: 0, value: { seq: 3 } },
    ]);
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn,
        Topics: [topic],
        SelfManagedEventSource: source(),
        StartingPosition: "TRIM_HORIZON",
        SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: unique("group") },
        MaximumRetryAttempts: 1,
        BisectBatchOnFunctionError: true,
        DestinationConfig: { OnFailure: { Destination: `kafka://${dlq}` } },
      }),
    );
    expect(made.DestinationConfig).toEqual({ OnFailure: { Destination: `kafka://${dlq}` } });
    const failed = await kafka.readAll(dlq, 1);
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0]?.value ?? "{}")).toEqual({ seq: 1, poison: true });
    expect(failed[0]?.headers).toMatchObject({
      "test-header": "yes",
      "stratus-failure-condition": "RetryAttemptsExhausted",
      "stratus-failure-error-message": "poison record",
      "stratus-source-topic": topic,
      "stratus-source-partition": "0",
      "stratus-source-offset": "1",
    });
    await until("the others are seen", async () => (await seen(fn)).length === 4, 60_000);
    const got = await seen(fn);
    expect(got.filter((s) => s.partition === 0).map((s) => s.seq)).toEqual([0, 2, 3]);
    expect(got.filter((s) => s.partition === 1).map((s) => s.seq)).toEqual([10]);
    const group = made.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId as string;
    await until(
      "the partition committed past the poison",
      async () => (await kafka.committed(group, topic))[0] === 4,
      20_000,
    );
    const runs = await stack.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM invocation_logs WHERE function_name = $1 AND log LIKE '%poison record%'",
      [fn],
    );
    // Alone, its first try and one retry (bisected batches before that are not counted).
    expect(Number(runs.rows[0]?.n)).toBeGreaterThanOrEqual(2);
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
  }, 150_000);

  it("shows an unreachable cluster as a PROBLEM and recovers once it can be reached", async () => {
    const fn = await newFunction();
    const topic = unique("late");
    await kafka.produce(topic, [{ partition: 2, value: { seq: 5 } }]);
    const door = await lateForwarder(kafka.bootstrap);
    try {
      const made = await stack.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: fn,
          Topics: [topic],
          SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: [door.address] } },
          StartingPosition: "TRIM_HORIZON",
        }),
      );
      const uuid = made.UUID as string;
      const problem = await waitFor(
        async () => {
          const r = (await mapping(uuid)).LastProcessingResult ?? "";
          return r.startsWith("PROBLEM") ? r : undefined;
        },
        30_000,
        { what: "a PROBLEM shown" },
      );
      expect(problem).toMatch(/^PROBLEM: Connection error\. Stratus could not connect to the Kafka cluster at /);
      expect(await seen(fn)).toEqual([]);
      await door.open();
      await until("the record is seen", async () => (await seen(fn)).length === 1, 60_000);
      await until("OK", async () => (await mapping(uuid)).LastProcessingResult === "OK", 20_000);
      await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    } finally {
      await door.close();
    }
  }, 150_000);

  it("CRUD and refusals through the AWS CLI and the SDK", async () => {
    const fn = await newFunction();
    const topic = unique("cli");
    const cli = async (...args: string[]) => {
      const r = await runAwsCli(stack, dir, ["lambda", ...args]);
      if (r.code !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const made = await cli(
      "create-event-source-mapping",
      "--function-name",
      fn,
      "--topics",
      topic,
      "--self-managed-event-source",
      JSON.stringify(source()),
      "--starting-position",
      "LATEST",
      "--self-managed-kafka-event-source-config",
      "ConsumerGroupId=billing",
      "--batch-size",
      "50",
    );
    expect(made).toMatchObject({
      State: "Creating",
      BatchSize: 50,
      Topics: [topic],
      StartingPosition: "LATEST",
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: "billing" },
    });
    const uuid = String(made.UUID);
    await until(
      "Enabled",
      async () => (await cli("get-event-source-mapping", "--uuid", uuid)).State === "Enabled",
      20_000,
    );
    const upd = await cli(
      "update-event-source-mapping",
      "--uuid",
      uuid,
      "--maximum-retry-attempts",
      "3",
      "--maximum-record-age-in-seconds",
      "3600",
      "--destination-config",
      JSON.stringify({ OnFailure: { Destination: `kafka://${topic}-failed` } }),
    );
    expect(upd).toMatchObject({ State: "Updating", MaximumRetryAttempts: 3, MaximumRecordAgeInSeconds: 3600 });
    await until(
      "Enabled again",
      async () => (await cli("get-event-source-mapping", "--uuid", uuid)).State === "Enabled",
      20_000,
    );
    const list = await cli("list-event-source-mappings", "--function-name", fn);
    expect((list.EventSourceMappings as Array<{ UUID: string }>).map((m) => m.UUID)).toEqual([uuid]);
    const twin = await runAwsCli(stack, dir, [
      "lambda",
      "create-event-source-mapping",
      "--function-name",
      fn,
      "--topics",
      topic,
      "--self-managed-event-source",
      JSON.stringify(source()),
      "--starting-position",
      "LATEST",
    ]);
    expect(twin.stderr).toContain("(ResourceConflictException)");
    const createAtTime = (timestamp: string) =>
      runAwsCli(stack, dir, [
        "lambda",
        "create-event-source-mapping",
        "--function-name",
        fn,
        "--topics",
        unique("t"),
        "--self-managed-event-source",
        JSON.stringify(source()),
        "--starting-position",
        "AT_TIMESTAMP",
        "--starting-position-timestamp",
        timestamp,
      ]);
    const atTime = await createAtTime("1700000000");
    const atTimeMade = JSON.parse(atTime.stdout) as {
      UUID: string;
      StartingPosition: string;
      StartingPositionTimestamp: unknown;
    };
    expect(atTimeMade.StartingPosition).toBe("AT_TIMESTAMP");
    expect(
      new Date(String(atTimeMade.StartingPositionTimestamp)).getTime() ||
        Number(atTimeMade.StartingPositionTimestamp) * 1000,
    ).toBe(1_700_000_000_000);
    const future = await createAtTime(String(Math.floor(Date.now() / 1000) + 3600));
    expect(future.stderr).toContain("(InvalidParameterValueException)");
    expect(future.stderr).toContain("StartingPositionTimestamp cannot be in the future");
    await cli("delete-event-source-mapping", "--uuid", atTimeMade.UUID);
    const del = await cli("delete-event-source-mapping", "--uuid", uuid);
    expect(del.State).toBe("Deleting");

    const refused = async (input: object, message: RegExp) => {
      const err = await stack.lambda.send(new CreateEventSourceMappingCommand(input as never)).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.name).toBe("InvalidParameterValueException");
      expect(err?.message).toMatch(message);
    };
    const base = {
      FunctionName: fn,
      Topics: [unique("t")],
      SelfManagedEventSource: source(),
      StartingPosition: "LATEST",
    };
    await refused({ ...base, StartingPosition: "AT_TIMESTAMP" }, /StartingPositionTimestamp must be set/);
    await refused({ ...base, StartingPositionTimestamp: new Date(1_700_000_000_000) }, /only valid when/);
    const atTimeSdk = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        ...base,
        Topics: [unique("t")],
        StartingPosition: "AT_TIMESTAMP",
        StartingPositionTimestamp: new Date(1_700_000_000_000),
      } as never),
    );
    expect(atTimeSdk.StartingPosition).toBe("AT_TIMESTAMP");
    expect(atTimeSdk.StartingPositionTimestamp?.getTime()).toBe(1_700_000_000_000);
    const gotAtTime = await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: atTimeSdk.UUID }));
    expect(gotAtTime.StartingPositionTimestamp?.getTime()).toBe(1_700_000_000_000);
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: atTimeSdk.UUID }));
    await refused(
      { ...base, DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:123456789012:q" } } },
      /kafka:\/\/<topic>/,
    );
    await refused(
      { ...base, SourceAccessConfigurations: [{ Type: "VPC_SUBNET", URI: "subnet:subnet-1" }] },
      /VPC_SUBNET/,
    );
    await refused({ ...base, ScalingConfig: { MaximumConcurrency: 5 } }, /ScalingConfig is not supported/);
    await refused({ ...base, Topics: [] }, /exactly one topic/);
    await refused({ ...base, StartingPosition: undefined }, /StartingPosition is required/);
    const other = await stack.lambda
      .send(new UpdateEventSourceMappingCommand({ UUID: uuid, ParallelizationFactor: 2 }))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(other?.message).toMatch(/ParallelizationFactor is not supported|does not exist/);
    const listed = await cli("list-event-source-mappings", "--function-name", fn);
    expect((listed.EventSourceMappings as Array<{ State: string }>).every((m) => m.State === "Deleting")).toBe(true);
  }, 120_000);
});
