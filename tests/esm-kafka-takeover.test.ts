// One Kafka mapping, two control planes (each its own process, one Postgres and
// Redis): the first holds the mapping's lease and is kill -9'd mid-stream; the second
// takes the lease over once it lapses, joins the mapping's consumer group once the
// dead member's session ends, and carries on from the committed offsets. Nothing
// produced is lost; records delivered again (the batches in flight at the kill) are
// counted and reported, and each partition is still seen in offset order.
import { randomBytes } from "node:crypto";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { createPgAccountStore } from "@stratus/control-plane";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./helpers/control-plane-process.js";
import { buildDist, type InvokerProcess, spawnInvoker } from "./helpers/invoker-process.js";
import { type KafkaMock, startKafkaMock } from "./helpers/kafka.js";
import { until, waitFor } from "./helpers/poll.js";
import { type StartedService, startPostgres, startRedis } from "./helpers/services.js";

const internalToken = randomBytes(24).toString("hex");
const HANDLER = `exports.handler = async (event) => {
  for (const list of Object.values(event.records)) {
    for (const r of list) console.log("SEEN " + r.partition + " " + r.offset);
  }
  await new Promise((r) => setTimeout(r, 50));
  return {};
};`;
let services: StartedService[] = [];
let db: pg.Pool;
let cps: ControlPlaneProcess[] = [];
let node: InvokerProcess | undefined;
let kafka: KafkaMock;
let credentials: { accessKeyId: string; secretAccessKey: string };

const startCp = () =>
  startControlPlaneProcess({
    databaseUrl: services[0]?.url as string,
    redisUrl: services[1]?.url as string,
    internalToken,
    extra: { STRATUS_ESM_LEASE_MS: "3000" },
  });

beforeAll(async () => {
  await buildDist();
  kafka = await startKafkaMock();
  services = await Promise.all([startPostgres(), startRedis()]);
  db = new pg.Pool({ connectionString: services[0]?.url, max: 2 });
  // Only the first runs when the mapping is made, so it is the one holding its lease.
  cps = [await startCp()];
  const accounts = createPgAccountStore(db);
  const account = await accounts.createAccount(`kafka-${randomBytes(3).toString("hex")}`);
  const key = await accounts.createAccessKey(account.id);
  credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
}, 180_000);

afterAll(async () => {
  await node?.stop();
  await Promise.all(cps.map((cp) => cp.stop()));
  await db?.end();
  await Promise.all(services.map((s) => s.container.stop({ remove: true })));
  await kafka?.close();
}, 120_000);

/** (partition, offset) pairs the function logged, in the order its invocations started. */
async function seen(functionName: string): Promise<Array<[number, number]>> {
  const { rows } = await db.query<{ log: string }>(
    "SELECT log FROM invocation_logs WHERE function_name = $1 ORDER BY started_at",
    [functionName],
  );
  return rows.flatMap((r) =>
    [...r.log.matchAll(/SEEN (\d+) (\d+)/g)].map((m): [number, number] => [Number(m[1]), Number(m[2])]),
  );
}

const owner = async () =>
  (await db.query<{ owner: string | null; epoch: string }>("SELECT owner, epoch FROM esm_leases WHERE shard = ''"))
    .rows[0];

describe("a Kafka mapping's lease with two control planes", () => {
  it("moves to the survivor when its holder is kill -9'd, and nothing is lost", async () => {
    const cp0 = cps[0] as ControlPlaneProcess;
    const lambda = new LambdaClient({ endpoint: cp0.url, region: "us-east-1", credentials });
    const fn = await deployFunction(lambda, "kafka", HANDLER);
    const topic = `takeover-${randomBytes(3).toString("hex")}`;
    const made = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn,
        Topics: [topic],
        SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: [kafka.bootstrap] } },
        StartingPosition: "TRIM_HORIZON",
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

    const N = 90;
    await kafka.produce(
      topic,
      Array.from({ length: N }, (_, i) => ({ partition: i % 3, value: { seq: i } })),
    );
    await until("the first records are seen", async () => (await seen(fn)).length > 0, 60_000);
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
    const key = (p: [number, number]) => `${p[0]}@${p[1]}`;
    const all = await waitFor(
      async () => {
        const s = await seen(fn);
        return new Set(s.map(key)).size === N ? s : undefined;
      },
      90_000,
      { what: "every record seen", intervalMs: 250 },
    );
    const duplicates = all.length - N;
    console.log(`kafka lease takeover: ${N} records, ${duplicates} delivered again after the kill`);
    for (const p of [0, 1, 2]) {
      const offsets = all.filter(([q]) => q === p).map(([, o]) => o);
      expect([...new Set(offsets)].sort((a, b) => a - b)).toEqual(Array.from({ length: N / 3 }, (_, i) => i));
      // A redelivery starts again from the committed offset: first time through, the offsets climb.
      const firstSeen = offsets.filter((o, i) => offsets.indexOf(o) === i);
      expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
    }
    // At most the batches the killed holder had in flight (one per partition, batch size 5) come again.
    expect(duplicates).toBeLessThanOrEqual(15);
    lambda.destroy();
  }, 240_000);
});
