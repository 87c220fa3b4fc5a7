// One SQS mapping, two control planes (each its own process, one Postgres and Redis),
// the SQS server (fauxqs) reached with credentials from a Secrets Manager secret named
// in STRATUS_SQS_ENDPOINTS: the lease holder is kill -9'd mid-stream; the survivor
// takes the lease over once it lapses. Nothing sent is lost; the messages the killed
// holder had received come back after the queue's visibility timeout, and are counted.
import { randomBytes } from "node:crypto";
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createPgAccountStore } from "@stratus/control-plane";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./helpers/control-plane-process.js";
import { buildDist, type InvokerProcess, spawnInvoker } from "./helpers/invoker-process.js";
import { until, waitFor } from "./helpers/poll.js";
import { type StartedService, startPostgres, startRedis } from "./helpers/services.js";

const internalToken = randomBytes(24).toString("hex");
const secretsKey = randomBytes(32).toString("base64");
const HANDLER = `exports.handler = async (event) => {
  await new Promise((r) => setTimeout(r, 1000));
  for (const m of event.Records) console.log("SEEN " + JSON.parse(m.body).seq);
  return {};
};`;
let services: StartedService[] = [];
let db: pg.Pool;
let cps: ControlPlaneProcess[] = [];
let node: InvokerProcess | undefined;
let fauxqs: FauxqsServer;
let accountId: string;
let credentials: { accessKeyId: string; secretAccessKey: string };

const startCp = (extra: Record<string, string> = {}) =>
  startControlPlaneProcess({
    databaseUrl: services[0]?.url as string,
    redisUrl: services[1]?.url as string,
    internalToken,
    extra: { STRATUS_ESM_LEASE_MS: "3000", STRATUS_SECRETS_KEY: secretsKey, ...extra },
  });

beforeAll(async () => {
  await buildDist();
  fauxqs = await startFauxqs({ port: 0, logger: false });
  services = await Promise.all([startPostgres(), startRedis()]);
  db = new pg.Pool({ connectionString: services[0]?.url, max: 2 });
  // A first control plane migrates the database, so the account can be made before the
  // control planes that name its secret start.
  const migrator = await startCp();
  const accounts = createPgAccountStore(db);
  const account = await accounts.createAccount(`sqs-${randomBytes(3).toString("hex")}`);
  const key = await accounts.createAccessKey(account.id);
  accountId = account.id;
  credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  await migrator.stop();
}, 180_000);

afterAll(async () => {
  await node?.stop();
  await Promise.all(cps.map((cp) => cp.stop()));
  await db?.end();
  await Promise.all(services.map((s) => s.container.stop({ remove: true })));
  await fauxqs?.stop();
}, 120_000);

async function seen(functionName: string): Promise<number[]> {
  const { rows } = await db.query<{ log: string }>("SELECT log FROM invocation_logs WHERE function_name = $1", [
    functionName,
  ]);
  return rows.flatMap((r) => [...r.log.matchAll(/SEEN (\d+)/g)].map((m) => Number(m[1])));
}

const owner = async () =>
  (await db.query<{ owner: string | null; epoch: string }>("SELECT owner, epoch FROM esm_leases")).rows[0];

describe("an SQS mapping's lease with two control planes", () => {
  it("moves to the survivor when its holder is kill -9'd, and nothing is lost", async () => {
    const endpoints = JSON.stringify([
      {
        Region: "*",
        Account: "*",
        Url: fauxqs.address,
        // A partial ARN (no random suffix): the secret is made below.
        CredentialsSecretArn: `arn:aws:secretsmanager:us-east-1:${accountId}:secret:sqs-creds`,
      },
    ]);
    cps = [await startCp({ STRATUS_SQS_ENDPOINTS: endpoints })];
    const cp0 = cps[0] as ControlPlaneProcess;
    const lambda = new LambdaClient({ endpoint: cp0.url, region: "us-east-1", credentials });
    const sm = new SecretsManagerClient({ endpoint: cp0.url, region: "us-east-1", credentials });
    await sm.send(
      new CreateSecretCommand({
        Name: "sqs-creds",
        SecretString: JSON.stringify({ accessKeyId: "test", secretAccessKey: "test" }),
      }),
    );
    const sqs = new SQSClient({
      endpoint: fauxqs.address,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      useQueueUrlAsEndpoint: false,
    });
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `takeover-${randomBytes(3).toString("hex")}`,
        Attributes: { VisibilityTimeout: "5" },
      }),
    );
    const url = QueueUrl as string;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] })))
      .Attributes?.QueueArn as string;
    const fn = await deployFunction(lambda, "esm", HANDLER);
    // Within the queue's visibility timeout, as Lambda requires of an SQS mapping's function.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Timeout: 5 }));
    const made = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: arn, BatchSize: 5 }),
    );
    await until(
      "Enabled",
      async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: made.UUID }))).State === "Enabled",
      20_000,
    );
    const first = await owner();
    expect(first?.owner).toBeTruthy();
    cps.push(await startCp({ STRATUS_SQS_ENDPOINTS: endpoints }));
    node = await spawnInvoker({
      redisUrl: services[1]?.url as string,
      controlPlaneUrl: cps[1]?.url as string,
      internalToken,
    });

    const N = 100;
    for (let i = 0; i < N; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 10 }, (_, n) => ({
            Id: String(n),
            MessageBody: JSON.stringify({ seq: i + n }),
          })),
        }),
      );
    }
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
      90_000,
      { what: "every message seen", intervalMs: 250 },
    );
    const duplicates = all.length - N;
    console.log(`SQS lease takeover: ${N} messages, ${duplicates} seen again after the kill`);
    expect([...new Set(all)].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    // At most what the killed holder's five poll loops had received (5 batches of 5) comes again.
    expect(duplicates).toBeLessThanOrEqual(25);
    sqs.destroy();
    lambda.destroy();
    sm.destroy();
  }, 240_000);
});
