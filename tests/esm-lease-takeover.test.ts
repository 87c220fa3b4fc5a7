// One RabbitMQ mapping, two control planes (each its own process, one Postgres and
// Redis): the first holds the mapping's lease and is kill -9'd mid-stream; the second
// takes the lease over once it lapses and carries on. Nothing published is lost;
// redeliveries of the batch that was in flight are counted and reported.
import { randomBytes, randomUUID } from "node:crypto";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createPgAccountStore } from "@stratus/control-plane";
import amqp from "amqplib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./helpers/control-plane-process.js";
import { buildDist, type InvokerProcess, spawnInvoker } from "./helpers/invoker-process.js";
import { until, waitFor } from "./helpers/poll.js";
import { type RabbitMq, startRabbitMq } from "./helpers/rabbitmq.js";
import { type StartedService, startPostgres, startRedis } from "./helpers/services.js";

const internalToken = randomBytes(24).toString("hex");
const secretsKey = randomBytes(32).toString("base64");
const HANDLER = `exports.handler = async (event) => {
  for (const m of Object.values(event.rmqMessagesByQueue)[0]) {
    console.log("SEEN " + JSON.parse(Buffer.from(m.data, "base64").toString()).seq);
  }
  return {};
};`;
let services: StartedService[] = [];
let db: pg.Pool;
let cps: ControlPlaneProcess[] = [];
let node: InvokerProcess | undefined;
let rmq: RabbitMq;
let accountId: string;
let credentials: { accessKeyId: string; secretAccessKey: string };

const startCp = () =>
  startControlPlaneProcess({
    databaseUrl: services[0]?.url as string,
    redisUrl: services[1]?.url as string,
    internalToken,
    extra: { STRATUS_ESM_LEASE_MS: "3000", STRATUS_SECRETS_KEY: secretsKey },
  });

beforeAll(async () => {
  await buildDist();
  rmq = await startRabbitMq();
  services = await Promise.all([startPostgres(), startRedis()]);
  db = new pg.Pool({ connectionString: services[0]?.url, max: 2 });
  // Only the first runs when the mapping is made, so it is the one holding its lease.
  cps = [await startCp()];
  const accounts = createPgAccountStore(db);
  const account = await accounts.createAccount(`esm-${randomBytes(3).toString("hex")}`);
  const key = await accounts.createAccessKey(account.id);
  accountId = account.id;
  credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
}, 180_000);

afterAll(async () => {
  await node?.stop();
  await Promise.all(cps.map((cp) => cp.stop()));
  await db?.end();
  await Promise.all(services.map((s) => s.container.stop({ remove: true })));
  await rmq?.close();
}, 120_000);

async function seen(functionName: string): Promise<number[]> {
  const { rows } = await db.query<{ log: string }>("SELECT log FROM invocation_logs WHERE function_name = $1", [
    functionName,
  ]);
  return rows.flatMap((r) => [...r.log.matchAll(/SEEN (\d+)/g)].map((m) => Number(m[1])));
}

const owner = async () =>
  (await db.query<{ owner: string | null; epoch: string }>("SELECT owner, epoch FROM esm_leases")).rows[0];

describe("a mapping's lease with two control planes", () => {
  it("moves to the survivor when its holder is kill -9'd, and nothing is lost", async () => {
    const cp0 = cps[0] as ControlPlaneProcess;
    const lambda = new LambdaClient({ endpoint: cp0.url, region: "us-east-1", credentials });
    const sm = new SecretsManagerClient({ endpoint: cp0.url, region: "us-east-1", credentials });
    // The broker registered as the admin API would (that API is tested in esm-rabbitmq.test.ts).
    const brokerId = `b-${randomUUID()}`;
    await db.query("INSERT INTO mq_brokers (account_id, name, broker_id, url) VALUES ($1, 'main', $2, $3)", [
      accountId,
      brokerId,
      rmq.url,
    ]);
    const secret = await sm.send(
      new CreateSecretCommand({ Name: "mq", SecretString: JSON.stringify({ username: "guest", password: "guest" }) }),
    );
    const fn = await deployFunction(lambda, "esm", HANDLER);
    const queue = `takeover-${randomBytes(3).toString("hex")}`;
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${rmq.port}`);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true });
    const made = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn,
        EventSourceArn: `arn:aws:mq:us-east-1:${accountId}:broker:main:${brokerId}`,
        Queues: [queue],
        SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: secret.ARN }],
        BatchSize: 5,
      }),
    );
    await until(
      "Enabled",
      async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: made.UUID }))).State === "Enabled",
      20_000,
    );
    const first = await owner();
    expect(first?.owner).toBeTruthy();
    cps.push(await startCp());
    node = await spawnInvoker({
      redisUrl: services[1]?.url as string,
      controlPlaneUrl: cps[1]?.url as string,
      internalToken,
    });

    const N = 60;
    for (let i = 0; i < N; i++) ch.sendToQueue(queue, Buffer.from(JSON.stringify({ seq: i })));
    await ch.waitForConfirms();
    await until("the first messages are seen", async () => (await seen(fn)).length > 0, 60_000);
    cp0.process.kill("SIGKILL");
    await cp0.exited;

    const taken = await waitFor(
      async () => {
        const o = await owner();
        return o?.owner && o.owner !== first?.owner ? o : undefined;
      },
      20_000,
      { what: "the lease taken over" },
    );
    expect(Number(taken.epoch)).toBeGreaterThan(Number(first?.epoch));
    const all = await waitFor(
      async () => {
        const s = await seen(fn);
        return new Set(s).size === N ? s : undefined;
      },
      60_000,
      { what: "every message seen", intervalMs: 250 },
    );
    const duplicates = all.length - N;
    console.log(`lease takeover: ${N} messages, ${duplicates} redelivered after the kill`);
    expect([...new Set(all)].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    // At most the batches the killed holder had taken (prefetch = batch size) come again.
    expect(duplicates).toBeLessThanOrEqual(5);
    await conn.close();
    lambda.destroy();
    sm.destroy();
  }, 180_000);
});
