// A whole Stratus for a test file: Postgres and Redis in containers, a control plane
// and one invoker in this process (real Docker for function containers), an account
// with an access key, and a Lambda SDK client signed with that key. startPlatform is
// the same without the invoker, for tests that run their invoker nodes as processes.
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
import { type Tracer, tracerFor } from "@stratus/shared";
import pg from "pg";
import { removeNodeLeftovers } from "./invoker-process.js";
import { type StartedService, startPostgres, startRedis } from "./services.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

const quiet = { info: () => undefined, warn: console.warn, error: console.error };

export interface Credentials {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Postgres, Redis and a control plane, with no invoker node. */
export interface Platform {
  endpoint: string;
  /** The control plane itself (this process runs it), e.g. to reach its async worker. */
  controlPlane: RunningControlPlane;
  region: string;
  db: pg.Pool;
  internalToken: string;
  /** Where the first start stored the administrator's key. */
  adminKeyFile: string;
  databaseUrl: string;
  redisUrl: string;
  /** The proxy the control plane reaches Redis through, with `proxyRedis`. */
  redisProxy?: TcpProxy;
  /** The proxy the control plane reaches Postgres through, with `proxyPostgres` (`db` does not). */
  postgresProxy?: TcpProxy;
  /** Where Postgres and Redis run: published loopback port and container id. */
  services: { postgres: { port: number; id: string }; redis: { port: number; id: string } };
  credentials: Credentials;
  lambda: LambdaClient;
  newAccount(name: string): Promise<Credentials>;
  clientFor(c: Credentials): LambdaClient;
  /**
   * Restarts the Redis container (`timeoutMs` 0: SIGKILL, as in a crash) and waits
   * until it accepts connections again, on the same URL. Needs `stableRedisPort`.
   */
  restartRedis(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface Stack extends Platform {
  invoker: RunningInvoker;
  nodeId: string;
}

export interface PlatformOptions {
  /** Control-plane settings over the test defaults below. */
  controlPlaneEnv?: Record<string, string>;
  /** Publish Redis on a port fixed at start, so that a restart keeps its URL. */
  stableRedisPort?: boolean;
  /** Keep the product's async timing (retries, reconciliation) instead of the quick test settings. */
  productAsyncTiming?: boolean;
  /** The control plane reaches Redis through a TCP proxy that can freeze its connections (invokers do not). */
  proxyRedis?: boolean;
  /** The control plane reaches Postgres through a TCP proxy that can freeze its connections. */
  proxyPostgres?: boolean;
  /** Postgres with fsync on, as in production (a benchmark's), instead of the tests' fsync off. */
  durablePostgres?: boolean;
}

/** Quick async retries and reconciliation, so tests see them within seconds. */
const QUICK_ASYNC_TIMING = {
  STRATUS_ASYNC_BACKOFF_BASE_MS: "50",
  STRATUS_ASYNC_BACKOFF_CAP_MS: "400",
  STRATUS_ASYNC_RECONCILE_INTERVAL_MS: "500",
  STRATUS_ASYNC_STALE_SECONDS: "2",
  STRATUS_ASYNC_WATCHDOG_INTERVAL_MS: "500",
};

export async function startPlatform(opts: PlatformOptions = {}): Promise<Platform> {
  const [postgres, redis] = await Promise.all([
    startPostgres({ durable: opts.durablePostgres }),
    startRedis({ stablePort: opts.stableRedisPort }),
  ]);
  const services: StartedService[] = [postgres, redis];
  const internalToken = randomBytes(24).toString("hex");
  const region = "us-east-1";
  const dataDir = await mkdtemp(path.join(tmpdir(), "stratus-cp-"));
  const adminKeyFile = path.join(dataDir, "bootstrap", "admin-key.json");
  const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  let cp: RunningControlPlane;
  let cpTracer: Tracer | undefined;
  let redisProxy: TcpProxy | undefined;
  let postgresProxy: TcpProxy | undefined;
  /** `url` with its port replaced by the proxy's, if there is one. */
  const through = (url: string, proxy: TcpProxy | undefined) => {
    if (!proxy) return url;
    const u = new URL(url);
    u.port = String(proxy.port);
    return u.toString();
  };
  try {
    if (opts.proxyRedis) {
      redisProxy = await startTcpProxy({ host: "127.0.0.1", port: redis.container.getMappedPort(6379) });
    }
    if (opts.proxyPostgres) {
      postgresProxy = await startTcpProxy({ host: "127.0.0.1", port: postgres.container.getMappedPort(5432) });
    }
    const cpConfig = ControlPlaneConfigSchema.parse({
      STRATUS_DATABASE_URL: through(postgres.url, postgresProxy),
      STRATUS_REDIS_URL: through(redis.url, redisProxy),
      STRATUS_INTERNAL_TOKEN: internalToken,
      STRATUS_PORT: "0",
      STRATUS_URL_PORT: "0",
      STRATUS_REGION: region,
      STRATUS_BOOTSTRAP_KEY_FILE: adminKeyFile,
      // A platform key of the stack's own, as scripts/up.sh makes one for a real install.
      STRATUS_SECRETS_KEY: randomBytes(32).toString("base64"),
      ...(opts.productAsyncTiming ? {} : QUICK_ASYNC_TIMING),
      ...opts.controlPlaneEnv,
    });
    // As main.ts does: spans go to the collector the settings name (STRATUS_OTLP_ENDPOINT).
    cpTracer = tracerFor(cpConfig.tracing.otlpEndpoint, "stratus-control-plane");
    cp = await startControlPlane(cpConfig, quiet, cpTracer);
  } catch (err) {
    await db.end();
    await redisProxy?.close();
    await postgresProxy?.close();
    await Promise.all(services.map((s) => s.container.stop()));
    await rm(dataDir, { recursive: true, force: true });
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
  const credentials = await newAccount(`test-${randomBytes(4).toString("hex")}`);
  return {
    endpoint,
    controlPlane: cp,
    region,
    db,
    internalToken,
    adminKeyFile,
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    ...(redisProxy ? { redisProxy } : {}),
    ...(postgresProxy ? { postgresProxy } : {}),
    services: {
      postgres: { port: postgres.container.getMappedPort(5432), id: postgres.container.getId() },
      redis: { port: redis.container.getMappedPort(6379), id: redis.container.getId() },
    },
    credentials,
    lambda: clientFor(credentials),
    newAccount,
    clientFor,
    async restartRedis(timeoutMs = 0) {
      if (!opts.stableRedisPort) throw new Error("restartRedis needs startPlatform({ stableRedisPort: true })");
      await redis.container.restart({ timeout: timeoutMs });
    },
    async stop() {
      await cp.close();
      await cpTracer?.shutdown();
      await redisProxy?.close();
      await postgresProxy?.close();
      await db.end();
      await Promise.all(services.map((s) => s.container.stop({ remove: true })));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `invokerEnv`: extra invoker settings (e.g. STRATUS_STEM_CELLS_PER_RUNTIME) over the defaults. */
export async function startStack(
  invokerEnv: Record<string, string> = {},
  platformOptions: PlatformOptions = {},
): Promise<Stack> {
  const platform = await startPlatform(platformOptions);
  const codeDir = await mkdtemp(path.join(tmpdir(), "stratus-code-"));
  const nodeId = `test-${randomBytes(4).toString("hex")}`;
  let invoker: RunningInvoker;
  let tracer: Tracer | undefined;
  try {
    const config = InvokerConfigSchema.parse({
      STRATUS_REDIS_URL: platform.redisUrl,
      STRATUS_CONTROL_PLANE_URL: platform.endpoint,
      STRATUS_INTERNAL_TOKEN: platform.internalToken,
      STRATUS_NODE_ID: nodeId,
      STRATUS_CODE_DIR: codeDir,
      STRATUS_CAPACITY_MB: "4096",
      ...invokerEnv,
    });
    tracer = tracerFor(config.tracing.otlpEndpoint, "stratus-invoker", { "stratus.node": nodeId });
    invoker = await startInvoker(config, quiet, tracer);
  } catch (err) {
    // A node that failed part-way may have made its network and stem cells already.
    await removeNodeLeftovers(nodeId);
    await platform.stop();
    await rm(codeDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...platform,
    invoker,
    nodeId,
    async stop() {
      try {
        await invoker.close();
        await tracer?.shutdown();
      } finally {
        // Whatever a close that failed part-way left (its network outlives a test run otherwise).
        await removeNodeLeftovers(nodeId);
        await platform.stop();
        await rm(codeDir, { recursive: true, force: true });
      }
    },
  };
}
