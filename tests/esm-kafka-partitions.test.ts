// One Kafka mapping, two control planes running from the start (each its own process,
// one Postgres and Redis): each holds one of the mapping's leases and runs one member
// of its consumer group, so the topic's 4 partitions are split between them. One is
// kill -9'd mid-stream; its partitions move to the survivor once the dead member's
// session ends. Every record produced is seen, each partition's records first arrive in
// offset order, and records delivered again (those in flight at the kill) are counted
// and reported.
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
const PARTITIONS = [0, 1, 2, 3];
let services: StartedService[] = [];
let db: pg.Pool;
let cps: ControlPlaneProcess[] = [];
/** Each control plane's latest consumer group assignment, from its log. */
const assigned: Array<number[] | undefined> = [];
let node: InvokerProcess | undefined;
let kafka: KafkaMock;
let credentials: { accessKeyId: string; secretAccessKey: string };

const startCp = (i: number) => {
  let pending = "";
  return startControlPlaneProcess({
    databaseUrl: services[0]?.url as string,
    redisUrl: services[1]?.url as string,
    internalToken,
    extra: { STRATUS_ESM_LEASE_MS: "3000" },
    onOutput: (text) => {
      const lines = (pending + text).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.includes("joined its consumer group")) continue;
        const m = /"partitions":"([\d,]*)"/.exec(line);
        if (m) assigned[i] = m[1] ? m[1].split(",").map(Number) : [];
      }
    },
  });
};

beforeAll(async () => {
  await buildDist();
  kafka = await startKafkaMock();
  services = await Promise.all([startPostgres(), startRedis()]);
  db = new pg.Pool({ connectionString: services[0]?.url, max: 2 });
  cps = await Promise.all([startCp(0), startCp(1)]);
  node = await spawnInvoker({
    redisUrl: services[1]?.url as string,
    controlPlaneUrl: cps[1]?.url as string,
    internalToken,
  });
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

const sorted = (list: number[]) => [...list].sort((a, b) => a - b);

describe("a Kafka mapping's partitions over two control planes", () => {
  it("are split between them, and all move to the survivor when one is kill -9'd", async () => {
    const lambda = new LambdaClient({ endpoint: cps[0]?.url, region: "us-east-1", credentials });
    const fn = await deployFunction(lambda, "kafka", HANDLER);
    const topic = `shared-${randomBytes(3).toString("hex")}`;
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
    // The topic exists once written to; the first record of each partition comes before the split is awaited.
    await kafka.produce(
      topic,
      PARTITIONS.map((p) => ({ partition: p, value: { seq: p } })),
    );
    await until(
      "a lease of the mapping held by each control plane",
      async () => {
        const owners = await db.query<{ owner: string }>(
          "SELECT DISTINCT owner FROM esm_leases WHERE mapping_uuid = $1 AND owner IS NOT NULL AND expires_at > now()",
          [made.UUID],
        );
        return owners.rows.length === 2;
      },
      20_000,
    );
    await until(
      "both control planes consuming a share of the partitions",
      async () => {
        const [a, b] = assigned;
        return !!a?.length && !!b?.length && sorted([...a, ...b]).join() === PARTITIONS.join();
      },
      60_000,
    );
    console.log(`kafka partitions shared: control plane 0 has ${assigned[0]}, control plane 1 has ${assigned[1]}`);

    const N = 160;
    await kafka.produce(
      topic,
      Array.from({ length: N - PARTITIONS.length }, (_, i) => ({ partition: i % 4, value: { seq: i } })),
    );
    await until("records seen after the split", async () => (await seen(fn)).length > 2 * PARTITIONS.length, 60_000);
    const cp0 = cps[0] as ControlPlaneProcess;
    cp0.process.kill("SIGKILL");
    await cp0.exited;
    await until(
      "the survivor consuming every partition",
      async () => assigned[1]?.join() === PARTITIONS.join(),
      60_000,
    );

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
    console.log(`kafka partitions over two control planes: ${N} records, ${duplicates} delivered again after the kill`);
    for (const p of PARTITIONS) {
      const offsets = all.filter(([q]) => q === p).map(([, o]) => o);
      expect(sorted([...new Set(offsets)])).toEqual(Array.from({ length: N / 4 }, (_, i) => i));
      // A redelivery starts again from the committed offset: first time through, the offsets climb.
      const firstSeen = offsets.filter((o, i) => offsets.indexOf(o) === i);
      expect(firstSeen).toEqual(sorted(firstSeen));
    }
    // At most what the killed member had fetched and not committed (a fetch per partition it held) comes again.
    expect(duplicates).toBeLessThan(N);
    lambda.destroy();
  }, 300_000);
});
