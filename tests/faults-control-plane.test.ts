// The control plane killed under an async load (RELIABILITY.md S27): kill -9 while
// events are being accepted, relayed and run, so some are committed but not yet in
// the queue, some queued, some running. Started again on the same port, it runs them
// all: every event that got its 202 ends in exactly one terminal state, and no
// committed row (even one whose 202 was lost with the process) is left behind.
import { randomBytes } from "node:crypto";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { createPgAccountStore } from "@stratus/control-plane";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction, reportOn, runsByTag, settle, statusCounts, TAGGED_SOURCE } from "./helpers/async-load.js";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./helpers/control-plane-process.js";
import { buildDist, type InvokerProcess, spawnInvoker } from "./helpers/invoker-process.js";
import { type StartedService, startPostgres, startRedis } from "./helpers/services.js";

const EVENTS = 1000;
const internalToken = randomBytes(24).toString("hex");
let services: StartedService[] = [];
let db: pg.Pool;
let cp: ControlPlaneProcess | undefined;
let node: InvokerProcess | undefined;

const startCp = (port?: number) =>
  startControlPlaneProcess({
    databaseUrl: services[0]?.url as string,
    redisUrl: services[1]?.url as string,
    internalToken,
    ...(port ? { port } : {}),
    extra: {
      STRATUS_ASYNC_CONCURRENCY: "8",
      STRATUS_ASYNC_BACKOFF_BASE_MS: "50",
      STRATUS_ASYNC_BACKOFF_CAP_MS: "400",
      STRATUS_ASYNC_RECONCILE_INTERVAL_MS: "500",
      STRATUS_ASYNC_STALE_SECONDS: "2",
    },
  });

beforeAll(async () => {
  await buildDist();
  services = await Promise.all([startPostgres(), startRedis()]);
  db = new pg.Pool({ connectionString: services[0]?.url, max: 2 });
  cp = await startCp();
  node = await spawnInvoker({ redisUrl: services[1]?.url as string, controlPlaneUrl: cp.url, internalToken });
}, 180_000);

afterAll(async () => {
  await node?.stop();
  await cp?.stop();
  await db?.end();
  await Promise.all(services.map((s) => s.container.stop({ remove: true })));
}, 120_000);

describe("control plane killed", () => {
  it("runs every accepted event after a kill -9 mid-load and a restart", async () => {
    const accounts = createPgAccountStore(db);
    const account = await accounts.createAccount(`cp-kill-${randomBytes(3).toString("hex")}`);
    const key = await accounts.createAccessKey(account.id);
    const lambda = new LambdaClient({
      endpoint: cp?.url,
      region: "us-east-1",
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
      maxAttempts: 1,
    });
    const name = await deployFunction(lambda, "cpkill", TAGGED_SOURCE);
    await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"tag":-1}') }));

    // Events go out 32 at a time; the process dies under them. A refused or cut
    // request is not accepted (its row may still exist: the 202 was lost, not the event).
    const ids: (string | undefined)[] = new Array(EVENTS);
    let next = 0;
    let killed = false;
    const send = async (tag: number, client: LambdaClient) => {
      try {
        const out = await client.send(
          new InvokeCommand({
            FunctionName: name,
            InvocationType: "Event",
            Payload: Buffer.from(JSON.stringify({ tag })),
          }),
        );
        if (out.StatusCode === 202) ids[tag] = out.$metadata.requestId;
      } catch {
        // not accepted
      }
    };
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < EVENTS / 2) {
          const tag = next++;
          if (tag === 300 && !killed) {
            killed = true;
            cp?.process.kill("SIGKILL");
          }
          await send(tag, lambda);
        }
      }),
    );
    await cp?.exited;
    expect(killed).toBe(true);
    const port = cp?.port;
    await cp?.stop();
    cp = await startCp(port);
    // The rest of the load goes to the restarted control plane.
    while (next < EVENTS)
      await Promise.all(Array.from({ length: 32 }, () => (next < EVENTS ? send(next++, lambda) : undefined)));
    lambda.destroy();

    const accepted = ids.filter((id): id is string => id !== undefined);
    const rows = Number(
      (await db.query("SELECT count(*)::int AS n FROM async_invocations WHERE function_name = $1", [name])).rows[0].n,
    );
    const statuses = await settle(db, name, rows, 180_000);
    const report = reportOn(
      Array.from(ids, (id) => id ?? ""),
      statuses,
      await runsByTag([node?.nodeId as string]),
    );
    // In the report, "missing" counts the events that got no 202 (refused or cut by the kill).
    console.info(
      `[S27 kill -9 of the control plane] ${JSON.stringify({ sent: EVENTS, got202: accepted.length, rowsCommitted: rows, ...report })}`,
    );
    expect(accepted.length).toBeGreaterThan(EVENTS / 2);
    expect(new Set(accepted).size).toBe(accepted.length);
    for (const id of accepted) expect(statuses.get(id)).toBe("succeeded");
    expect(await statusCounts(db, name)).toEqual({ succeeded: rows });
    expect((await db.query("SELECT count(*)::int AS n FROM async_outbox")).rows[0].n).toBe(0);
  }, 300_000);
});
