// The control plane's configuration: one zod schema, parsed once in main.ts from the
// environment. Secrets have no defaults; nothing else reads process.env.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import {
  LogLevelSchema,
  MaxFunctionSeriesSchema,
  OtlpEndpointSchema,
  otlpEndpoint,
  RegistryEnvSchema,
  registrySettings,
} from "@stratus/shared";
import { z } from "zod";
import { parseSqsEndpoints } from "./mappings/sqs/sqs-endpoints.js";

export const ControlPlaneConfigSchema = z
  .object({
    STRATUS_DATABASE_URL: z.string().url(),
    STRATUS_REDIS_URL: z.string().url(),
    STRATUS_INTERNAL_TOKEN: z.string().min(16, "STRATUS_INTERNAL_TOKEN must be at least 16 characters"),
    STRATUS_HOST: z.string().default("127.0.0.1"),
    STRATUS_PORT: z.coerce.number().int().min(0).max(65535).default(9000),
    STRATUS_REGION: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "STRATUS_REGION must look like us-east-1")
      .default("us-east-1"),
    /** Where the first start stores the administrator's access key (mode 0600). */
    STRATUS_BOOTSTRAP_KEY_FILE: z.string().min(1).default("/var/lib/stratus/bootstrap/admin-key.json"),
    /**
     * Async invocations run at once by this control plane's queue worker (0: no worker).
     * Each holds its place from its start to its record, most of it waiting on Postgres
     * and a node: at 16 a burst of trivial events left the CPUs a tenth idle.
     */
    STRATUS_ASYNC_CONCURRENCY: z.coerce.number().int().min(0).default(64),
    /** Retry backoff for async function errors: exponential from the base, jittered, capped. */
    STRATUS_ASYNC_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(1000),
    STRATUS_ASYNC_BACKOFF_CAP_MS: z.coerce.number().int().min(1).default(300_000),
    /** How often each control plane looks for schedules due. */
    STRATUS_SCHEDULE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
    /** How often each control plane looks for metric alarms due evaluation (each alarm is due once a period, at most once a minute). */
    STRATUS_ALARM_EVALUATION_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** How often the log sweeper looks for groups due retention or over the cap (each group at most this often). */
    STRATUS_LOGS_SWEEP_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
    /** Bytes of log events one log group (a function's) may hold; the oldest beyond are deleted by the sweeper. */
    STRATUS_LOGS_MAX_GROUP_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(1024 ** 3),
    /** Live tail sessions (StartLiveTail) one account may hold open at once on one control plane. */
    STRATUS_LOGS_LIVE_TAIL_SESSIONS: z.coerce.number().int().min(1).max(1000).default(15),
    /** How often the reconciler looks for lost async work, and how overdue work must be. */
    STRATUS_ASYNC_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
    STRATUS_ASYNC_STALE_SECONDS: z.coerce.number().int().min(1).default(30),
    /** How often the watchdog checks that the async queue worker still runs. */
    STRATUS_ASYNC_WATCHDOG_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
    /**
     * How long the async path waits on a connection that may have stopped answering:
     * how long due async jobs may wait while the queue worker has a free slot and starts
     * none before the watchdog replaces it (a healthy worker takes them at once), how
     * long one step of a job (an async-store statement, a Redis command) may take
     * before the job is given up and run again (the call to an invoker node may take
     * the function's timeout and 30 s more on top), and the bound on each async-store
     * statement.
     */
    STRATUS_ASYNC_WORKER_STALL_MS: z.coerce.number().int().min(1_000).default(60_000),
    /**
     * How long a Redis command on a request's path (node placement, concurrency
     * accounting, the async producer) may go unanswered: past it the command fails, so
     * an invoke fails with ServiceException instead of waiting for a Redis that hangs
     * without closing its connections, and a connection silent that long while
     * commands await it is replaced. Above Redis' own stalls (an AOF fsync may hold
     * writes up to 2 s).
     */
    STRATUS_REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
    /**
     * How long one statement of the API's stores (functions, versions, aliases,
     * settings, accounts and keys, logs) may take, and how long any caller waits for
     * a pooled Postgres connection: past it the request fails with ServiceException
     * instead of waiting on a connection that stopped answering. Leaves room for a
     * 50 MB code upload or fetch. (The async store's statements are bounded by
     * STRATUS_ASYNC_WORKER_STALL_MS.)
     */
    STRATUS_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    /** The account concurrency limit (Lambda's default: 1,000). */
    STRATUS_ACCOUNT_CONCURRENCY: z.coerce.number().int().min(100).default(1000),
    /**
     * The HTTP edge's deadlines: a request's headers must be in within the first, its
     * whole body within the second (both from its first byte), or the connection is cut
     * (408). A 50 MB code upload must arrive within the request deadline: raise it for
     * clients on links slower than about 20 Mbit/s.
     */
    STRATUS_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    STRATUS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    /**
     * The bytes that request bodies still being read, their signature not yet checked,
     * may hold together in this process; past it, bodies are refused with 429.
     */
    STRATUS_UNVERIFIED_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024 * 1024)
      .default(256 * 1024 * 1024),
    /** The function URL listener's port (on STRATUS_HOST), beside the API's (docs/FUNCTION-URLS.md). */
    STRATUS_URL_PORT: z.coerce.number().int().min(0).max(65535).default(9002),
    /**
     * The URL listener as clients reach it, e.g. https://urls.example.com (behind a proxy);
     * FunctionUrl is built from it. Default: http://STRATUS_HOST:STRATUS_URL_PORT.
     */
    STRATUS_URL_BASE: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .url()
        .refine((u) => /^https?:\/\/[^/]+\/?$/.test(u), "STRATUS_URL_BASE must be http(s)://host[:port], no path")
        .optional(),
    ),
    /**
     * When set, FunctionUrl is http(s)://<id>.lambda-url.<region>.<domain>[:port]/ (a
     * wildcard DNS name pointing at the URL listener); otherwise the path form
     * <base>/<id>/. Both forms are always served.
     */
    STRATUS_URL_DOMAIN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(
          /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
          "STRATUS_URL_DOMAIN must be a DNS name",
        )
        .optional(),
    ),
    /**
     * The platform key that seals secret values (docs/SECRETS.md): 32 random bytes,
     * base64. Never defaulted: without it the Secrets Manager API refuses every request.
     */
    STRATUS_SECRETS_KEY: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .refine(
          (k) => /^[A-Za-z0-9+/]{43}=$/.test(k) && Buffer.from(k, "base64").length === 32,
          "STRATUS_SECRETS_KEY must be 32 bytes, base64 (e.g. head -c 32 /dev/urandom | base64)",
        )
        .optional(),
    ),
    /** How often each control plane deletes secrets past their recovery window. */
    STRATUS_SECRETS_PURGE_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
    /** How long an event source mapping's lease lasts unrenewed (docs/EVENT-SOURCES.md); renewed each third. */
    STRATUS_ESM_LEASE_MS: z.coerce.number().int().min(300).default(10_000),
    /** How many mappings one control plane polls at most; 0: it polls none. */
    STRATUS_ESM_MAX_MAPPINGS: z.coerce.number().int().min(0).default(100),
    /** Which SQS-compatible server serves which region and account's queues (JSON; docs/EVENT-SOURCES.md). */
    STRATUS_SQS_ENDPOINTS: z
      .string()
      .optional()
      .transform((text, ctx) => {
        try {
          return parseSqsEndpoints(text);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: (err as Error).message });
          return z.NEVER;
        }
      }),
    /** How long a Step Functions execution's record and history are kept after it ends (AWS: 90 days). */
    STRATUS_STATES_HISTORY_RETENTION_HOURS: z.coerce.number().positive().default(2160),
    STRATUS_STATES_EXPRESS_MAX_SECONDS: z.coerce.number().int().min(1).max(300).default(300),
    /** The least severe level the process logs. */
    STRATUS_LOG_LEVEL: LogLevelSchema,
    /** Container image functions: registry credentials and plain-HTTP registries (docs/IMAGE-FUNCTIONS.md). */
    ...RegistryEnvSchema,
    ...OtlpEndpointSchema,
    /** An access line per API request at info level (on), or at debug only (off). */
    STRATUS_ACCESS_LOG: z.enum(["on", "off"]).default("on"),
    /** The web console (docs/CONSOLE.md): how long a sign-in lasts, and where its built files are. */
    STRATUS_CONSOLE_SESSION_SECONDS: z.coerce.number().int().min(60).max(43_200).default(3600),
    STRATUS_CONSOLE_DIR: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional()),
    /** Label sets (account, function, resource) of the per-function metrics past which new functions fold into __other__. */
    STRATUS_METRICS_MAX_FUNCTION_SERIES: MaxFunctionSeriesSchema,
    /** The bearer token GET /metrics/targets (Prometheus http_sd) answers; unset: that endpoint is off. */
    STRATUS_METRICS_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(16, "STRATUS_METRICS_TOKEN must be at least 16 characters").optional(),
    ),
    /** The host Prometheus reaches this replica's /metrics at (default: STRATUS_HOST, or the hostname if that is a wildcard). */
    STRATUS_ADVERTISE_HOST: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional()),
    /** Usage metering (docs/USAGE.md): the rollup loop's interval, grace after an hour ends, raw row retention. */
    STRATUS_USAGE_ROLLUP_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
    STRATUS_USAGE_ROLLUP_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
    STRATUS_USAGE_RAW_RETENTION_HOURS: z.coerce.number().int().min(2).default(360),
    /** How often each control plane reads quotas and month-to-date usage: the lag of quota enforcement. */
    STRATUS_USAGE_QUOTA_REFRESH_MS: z.coerce.number().int().min(100).default(10_000),
    /** The price table of usage reports; Lambda's x86 list prices by default. */
    STRATUS_USAGE_PRICE_PER_MILLION_REQUESTS: z.coerce.number().min(0).default(0.2),
    STRATUS_USAGE_PRICE_PER_GB_SECOND: z.coerce.number().min(0).default(0.0000166667),
    STRATUS_USAGE_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, "STRATUS_USAGE_CURRENCY must be an ISO 4217 code such as USD")
      .default("USD"),
  })
  // The watchdog looks once an interval: a stall shorter than that could not be seen twice.
  .refine((e) => e.STRATUS_ASYNC_WORKER_STALL_MS > e.STRATUS_ASYNC_WATCHDOG_INTERVAL_MS, {
    message: "STRATUS_ASYNC_WORKER_STALL_MS must be longer than STRATUS_ASYNC_WATCHDOG_INTERVAL_MS",
    path: ["STRATUS_ASYNC_WORKER_STALL_MS"],
  })
  // Node refuses a header deadline past the request deadline.
  .refine((e) => e.STRATUS_HEADERS_TIMEOUT_MS <= e.STRATUS_REQUEST_TIMEOUT_MS, {
    message: "STRATUS_HEADERS_TIMEOUT_MS must not be longer than STRATUS_REQUEST_TIMEOUT_MS",
    path: ["STRATUS_HEADERS_TIMEOUT_MS"],
  })
  .transform((e) => ({
    databaseUrl: e.STRATUS_DATABASE_URL,
    redisUrl: e.STRATUS_REDIS_URL,
    internalToken: e.STRATUS_INTERNAL_TOKEN,
    host: e.STRATUS_HOST,
    port: e.STRATUS_PORT,
    region: e.STRATUS_REGION,
    accountConcurrency: e.STRATUS_ACCOUNT_CONCURRENCY,
    redisCommandTimeoutMs: e.STRATUS_REDIS_COMMAND_TIMEOUT_MS,
    dbStatementTimeoutMs: e.STRATUS_DB_STATEMENT_TIMEOUT_MS,
    bootstrapKeyFile: e.STRATUS_BOOTSTRAP_KEY_FILE,
    logLevel: e.STRATUS_LOG_LEVEL,
    tracing: { otlpEndpoint: otlpEndpoint(e) },
    maxFunctionSeries: e.STRATUS_METRICS_MAX_FUNCTION_SERIES,
    registries: registrySettings(e, (path) => readFileSync(path, "utf8")),
    accessLog: e.STRATUS_ACCESS_LOG === "on",
    console: { sessionSeconds: e.STRATUS_CONSOLE_SESSION_SECONDS, dir: e.STRATUS_CONSOLE_DIR },
    metricsToken: e.STRATUS_METRICS_TOKEN,
    advertiseHost:
      e.STRATUS_ADVERTISE_HOST ?? (["0.0.0.0", "::", ""].includes(e.STRATUS_HOST) ? hostname() : e.STRATUS_HOST),
    urls: { port: e.STRATUS_URL_PORT, base: e.STRATUS_URL_BASE?.replace(/\/$/, ""), domain: e.STRATUS_URL_DOMAIN },
    secrets: {
      key: e.STRATUS_SECRETS_KEY === undefined ? undefined : Buffer.from(e.STRATUS_SECRETS_KEY, "base64"),
      purgeIntervalMs: e.STRATUS_SECRETS_PURGE_INTERVAL_MS,
    },
    esm: { leaseMs: e.STRATUS_ESM_LEASE_MS, maxMappings: e.STRATUS_ESM_MAX_MAPPINGS },
    sqsEndpoints: e.STRATUS_SQS_ENDPOINTS,
    states: {
      historyRetentionMs: e.STRATUS_STATES_HISTORY_RETENTION_HOURS * 3_600_000,
      expressMaxMs: e.STRATUS_STATES_EXPRESS_MAX_SECONDS * 1000,
    },
    edge: {
      headersTimeoutMs: e.STRATUS_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.STRATUS_REQUEST_TIMEOUT_MS,
      unverifiedBodyBytes: e.STRATUS_UNVERIFIED_BODY_BYTES,
    },
    usage: {
      rollupIntervalMs: e.STRATUS_USAGE_ROLLUP_INTERVAL_MS,
      rollupGraceMs: e.STRATUS_USAGE_ROLLUP_GRACE_SECONDS * 1000,
      rawRetentionMs: e.STRATUS_USAGE_RAW_RETENTION_HOURS * 3_600_000,
      quotaRefreshMs: e.STRATUS_USAGE_QUOTA_REFRESH_MS,
      prices: {
        perMillionRequests: e.STRATUS_USAGE_PRICE_PER_MILLION_REQUESTS,
        perGbSecond: e.STRATUS_USAGE_PRICE_PER_GB_SECOND,
        currency: e.STRATUS_USAGE_CURRENCY,
      },
    },
    alarms: { evaluationMs: e.STRATUS_ALARM_EVALUATION_MS },
    logs: {
      sweepMs: e.STRATUS_LOGS_SWEEP_MS,
      maxGroupBytes: e.STRATUS_LOGS_MAX_GROUP_BYTES,
      liveTailSessions: e.STRATUS_LOGS_LIVE_TAIL_SESSIONS,
    },
    async: {
      concurrency: e.STRATUS_ASYNC_CONCURRENCY,
      backoffBaseMs: e.STRATUS_ASYNC_BACKOFF_BASE_MS,
      backoffCapMs: e.STRATUS_ASYNC_BACKOFF_CAP_MS,
      reconcileIntervalMs: e.STRATUS_ASYNC_RECONCILE_INTERVAL_MS,
      schedulePollMs: e.STRATUS_SCHEDULE_POLL_MS,
      staleSeconds: e.STRATUS_ASYNC_STALE_SECONDS,
      watchdogIntervalMs: e.STRATUS_ASYNC_WATCHDOG_INTERVAL_MS,
      workerStallMs: e.STRATUS_ASYNC_WORKER_STALL_MS,
    },
  }));

export type ControlPlaneConfig = z.output<typeof ControlPlaneConfigSchema>;
