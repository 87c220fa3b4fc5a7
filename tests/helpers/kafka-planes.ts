// The stack of the Kafka tests that kill a control plane: control planes as processes of
// their own (a short mapping lease) over one Postgres and Redis, one invoker, an account,
// and a Kafka mock cluster; and what a test function logged as seen ("SEEN <partition>
// <offset>" lines).
import { randomBytes } from "node:crypto";
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { createPgAccountStore } from "@stratus/control-plane";
import pg from "pg";
import { expect } from "vitest";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./control-plane-process.js";
import { buildDist, type InvokerProcess, spawnInvoker } from "./invoker-process.js";
import { type KafkaMock, startKafkaMock } from "./kafka.js";
import { until, waitFor } from "./poll.js";
import { type StartedService, startPostgres, startRedis } from "./services.js";

/** A function that logs "SEEN <partition> <offset>" for each record, then takes 50 ms. */
export const SEEN_HANDLER = `exports.handler = async (event) => {
  for (const list of Object.values(event.records)) {
    for (const r of list) console.log("SEEN " + r.partition + " " + r.offset);
  }
  await new Promise((r) => setTimeout(r, 50));
  return {};
};`;

export interface PlanesStack {
  db: pg.Pool;
  kafka: KafkaMock;
  /** An account's access key, made once the first control plane has migrated the database. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every control plane started, in order. */
  cps: ControlPlaneProcess[];
  startCp(onOutput?: (text: string) => void): Promise<ControlPlaneProcess>;
  /** Starts the invoker, registered with `cp`. */
  startInvoker(cp: ControlPlaneProcess): Promise<void>;
  /** (partition, offset) pairs the function logged, in the order its invocations started. */
  seen(functionName: string): Promise<Array<[number, number]>>;
  stop(): Promise<void>;
  /**
   * Waits until the function has seen every offset 0..perPartition-1 of each partition,
   * checks each partition's offsets first arrive in order (a redelivery starts again from
   * the committed offset), reports the records seen again, and returns their count.
   */
  everySeenInOrder(functionName: string, partitions: number[], perPartition: number, label: string): Promise<number>;
  /** A mapping of `topic` (TRIM_HORIZON, BatchSize 5) to the function, once Enabled; its UUID. */
  createMapping(lambda: LambdaClient, functionName: string, topic: string): Promise<string>;
}

export async function startPlanesStack(): Promise<PlanesStack> {
  const internalToken = randomBytes(24).toString("hex");
  await buildDist();
  const kafka = await startKafkaMock();
  const services: StartedService[] = await Promise.all([startPostgres(), startRedis()]);
  const [postgres, redis] = services as [StartedService, StartedService];
  const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  const cps: ControlPlaneProcess[] = [];
  let node: InvokerProcess | undefined;
  const stack: PlanesStack = {
    db,
    kafka,
    credentials: { accessKeyId: "", secretAccessKey: "" },
    cps,
    async startCp(onOutput) {
      const cp = await startControlPlaneProcess({
        databaseUrl: postgres.url,
        redisUrl: redis.url,
        internalToken,
        extra: { STRATUS_ESM_LEASE_MS: "3000" },
        ...(onOutput ? { onOutput } : {}),
      });
      cps.push(cp);
      if (cps.length === 1) {
        const accounts = createPgAccountStore(db);
        const account = await accounts.createAccount(`kafka-${randomBytes(3).toString("hex")}`);
        const key = await accounts.createAccessKey(account.id);
        stack.credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
      }
      return cp;
    },
    async startInvoker(cp) {
      node = await spawnInvoker({ redisUrl: redis.url, controlPlaneUrl: cp.url, internalToken });
    },
    async seen(functionName) {
      const { rows } = await db.query<{ log: string }>(
        "SELECT log FROM invocation_logs WHERE function_name = $1 ORDER BY started_at",
        [functionName],
      );
      return rows.flatMap((r) =>
        [...r.log.matchAll(/SEEN (\d+) (\d+)/g)].map((m): [number, number] => [Number(m[1]), Number(m[2])]),
      );
    },
    async stop() {
      await node?.stop();
      await Promise.all(cps.map((cp) => cp.stop()));
      await db.end();
      await Promise.all(services.map((s) => s.container.stop({ remove: true })));
      await kafka.close();
    },
    async everySeenInOrder(functionName, partitions, perPartition, label) {
      const n = partitions.length * perPartition;
      const all = await waitFor(
        async () => {
          const s = await stack.seen(functionName);
          return new Set(s.map(([p, o]) => `${p}@${o}`)).size === n ? s : undefined;
        },
        90_000,
        { what: "every record seen", intervalMs: 250 },
      );
      const duplicates = all.length - n;
      console.log(`${label}: ${n} records, ${duplicates} delivered again after the kill`);
      const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
      for (const p of partitions) {
        const offsets = all.filter(([q]) => q === p).map(([, o]) => o);
        expect(sorted([...new Set(offsets)])).toEqual(Array.from({ length: perPartition }, (_, i) => i));
        const firstSeen = offsets.filter((o, i) => offsets.indexOf(o) === i);
        expect(firstSeen).toEqual(sorted(firstSeen));
      }
      return duplicates;
    },
    async createMapping(lambda, functionName, topic) {
      const made = await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: functionName,
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
      return made.UUID as string;
    },
  };
  return stack;
}
