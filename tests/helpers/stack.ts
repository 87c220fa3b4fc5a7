// A whole Stratus for a test file: Postgres and Redis in containers, a control plane
// and one invoker in this process (real Docker for function containers), an account
// with an access key, and a Lambda SDK client signed with that key.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { LambdaClient } from "@aws-sdk/client-lambda";
import {
  ControlPlaneConfigSchema,
  createPgAccountStore,
  type RunningControlPlane,
  startControlPlane,
} from "@stratus/control-plane";
import { InvokerConfigSchema, type RunningInvoker, startInvoker } from "@stratus/invoker";
import pg from "pg";
import { type StartedService, startPostgres, startRedis } from "./services.js";

const quiet = { info: () => undefined, warn: console.warn, error: console.error };

export interface Credentials {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Stack {
  endpoint: string;
  region: string;
  db: pg.Pool;
  invoker: RunningInvoker;
  nodeId: string;
  internalToken: string;
  /** Where the first start stored the administrator's key. */
  adminKeyFile: string;
  databaseUrl: string;
  redisUrl: string;
  /** Where Postgres and Redis run: published loopback port and container id. */
  services: { postgres: { port: number; id: string }; redis: { port: number; id: string } };
  credentials: Credentials;
  lambda: LambdaClient;
  newAccount(name: string): Promise<Credentials>;
  clientFor(c: Credentials): LambdaClient;
  stop(): Promise<void>;
}

/** `invokerEnv`: extra invoker settings (e.g. STRATUS_STEM_CELLS_PER_RUNTIME) over the defaults. */
export async function startStack(invokerEnv: Record<string, string> = {}): Promise<Stack> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const services: StartedService[] = [postgres, redis];
  const internalToken = randomBytes(24).toString("hex");
  const region = "us-east-1";
  const codeDir = await mkdtemp(path.join(tmpdir(), "stratus-code-"));
  const nodeId = `test-${randomBytes(4).toString("hex")}`;
  let cp: RunningControlPlane | undefined;
  let invoker: RunningInvoker | undefined;
  const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  try {
    cp = await startControlPlane(
      ControlPlaneConfigSchema.parse({
        STRATUS_DATABASE_URL: postgres.url,
        STRATUS_REDIS_URL: redis.url,
        STRATUS_INTERNAL_TOKEN: internalToken,
        STRATUS_PORT: "0",
        STRATUS_REGION: region,
        STRATUS_BOOTSTRAP_KEY_FILE: path.join(codeDir, "bootstrap", "admin-key.json"),
        // Quick async retries and reconciliation, so tests see them within seconds.
        STRATUS_ASYNC_BACKOFF_BASE_MS: "50",
        STRATUS_ASYNC_BACKOFF_CAP_MS: "400",
        STRATUS_ASYNC_RECONCILE_INTERVAL_MS: "500",
        STRATUS_ASYNC_STALE_SECONDS: "2",
      }),
      quiet,
    );
    invoker = await startInvoker(
      InvokerConfigSchema.parse({
        STRATUS_REDIS_URL: redis.url,
        STRATUS_CONTROL_PLANE_URL: cp.url,
        STRATUS_INTERNAL_TOKEN: internalToken,
        STRATUS_NODE_ID: nodeId,
        STRATUS_CODE_DIR: codeDir,
        STRATUS_CAPACITY_MB: "4096",
        ...invokerEnv,
      }),
      quiet,
    );
  } catch (err) {
    await cp?.close();
    await db.end();
    await Promise.all(services.map((s) => s.container.stop()));
    throw err;
  }
  const accounts = createPgAccountStore(db);
  const endpoint = cp.url;
  const newAccount = async (name: string): Promise<Credentials> => {
    const account = await accounts.createAccount(name);
    const key = await accounts.createAccessKey(account.id);
    return { accountId: account.id, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  };
  const clientFor = (c: Credentials) =>
    new LambdaClient({
      endpoint,
      region,
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
      maxAttempts: 1,
    });
  const credentials = await newAccount(`test-${nodeId}`);
  const runningInvoker = invoker;
  const runningCp = cp;
  return {
    endpoint,
    region,
    db,
    invoker: runningInvoker,
    nodeId,
    internalToken,
    adminKeyFile: path.join(codeDir, "bootstrap", "admin-key.json"),
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    services: {
      postgres: { port: postgres.container.getMappedPort(5432), id: postgres.container.getId() },
      redis: { port: redis.container.getMappedPort(6379), id: redis.container.getId() },
    },
    credentials,
    lambda: clientFor(credentials),
    newAccount,
    clientFor,
    async stop() {
      await runningInvoker.close();
      await runningCp.close();
      await db.end();
      await Promise.all(services.map((s) => s.container.stop({ remove: true })));
      await rm(codeDir, { recursive: true, force: true });
    },
  };
}
