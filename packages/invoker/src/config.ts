// The invoker's configuration: one zod schema, parsed once in main.ts.
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

export const InvokerConfigSchema = z
  .object({
    STRATUS_REDIS_URL: z.string().url(),
    STRATUS_CONTROL_PLANE_URL: z.string().url(),
    STRATUS_INTERNAL_TOKEN: z.string().min(16, "STRATUS_INTERNAL_TOKEN must be at least 16 characters"),
    /** Stable across restarts, so a restarted node finds and removes its orphans. */
    STRATUS_NODE_ID: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,48}$/)
      .default(
        hostname()
          .replace(/[^a-zA-Z0-9_.-]/g, "-")
          .slice(0, 48),
      ),
    STRATUS_INVOKER_HOST: z.string().default("127.0.0.1"),
    STRATUS_INVOKER_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    STRATUS_CODE_DIR: z.string().default("/var/lib/stratus/code"),
    STRATUS_CAPACITY_MB: z.coerce.number().int().min(128).default(8192),
    STRATUS_IDLE_TTL_SECONDS: z.coerce.number().int().min(1).default(600),
    STRATUS_DOCKER_SOCKET: z.string().default("/var/run/docker.sock"),
    /**
     * The host's cgroup hierarchy, for reading containers' peak memory cheaply and
     * their OOM kills exactly (unreadable, those are counted from the engine's events,
     * and stratus_oom_detection_degraded says so).
     */
    STRATUS_CGROUP_ROOT: z.string().default("/sys/fs/cgroup"),
    /** Cap of one invocation's stored log (Lambda-style truncation marker beyond). */
    STRATUS_LOG_BYTES_PER_INVOCATION: z.coerce
      .number()
      .int()
      .min(4096)
      .default(256 * 1024),
    /** Prewarmed stem cells kept per stem-capable runtime (nodejs20.x, nodejs22.x, nodejs24.x, python3.11); 0 disables. */
    STRATUS_STEM_CELLS_PER_RUNTIME: z.coerce.number().int().min(0).max(64).default(1),
    /** The neutral memory cap of a stem cell until it is specialised (Lambda's minimum). */
    STRATUS_STEM_CELL_MEMORY_MB: z.coerce.number().int().min(128).max(10240).default(128),
    /** Network namespaces made ahead for containers started from scratch (0: each makes its own). */
    STRATUS_NET_SANDBOXES: z.coerce.number().int().min(0).max(64).default(2),
    /**
     * How long a Redis command (a heartbeat) may go unanswered: past it the command
     * fails, and a connection silent that long under commands is replaced, so a Redis
     * that hung without closing the connection neither stalls the heartbeat for good
     * once it is back nor holds a shutdown.
     */
    STRATUS_REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
    /**
     * A peer node silent this long (its last heartbeat in the registry) is dead: what
     * it made on this node's engine that long ago is removed. 0 disables the sweep;
     * otherwise at least 30 s, well past a live node's heartbeat interval.
     */
    STRATUS_DEAD_NODE_AFTER_SECONDS: z.coerce
      .number()
      .int()
      .refine((s) => s === 0 || s >= 30, "STRATUS_DEAD_NODE_AFTER_SECONDS must be 0 (off) or at least 30")
      .default(600),
    /** The image network sandboxes run `sleep` from (built locally by packages/runtime-images). */
    STRATUS_SANDBOX_IMAGE: z.string().min(1).default("stratus/base:bookworm"),
    /**
     * An idle warm container is frozen (its processes get no CPU, as Lambda's between
     * invocations) this long after its invocation ends; "off": never. At 50 ms a
     * saturated stream of async events still froze and thawed one container in twelve
     * invocations (the node's in-flight count dips and peaks); at 250 ms almost none.
     */
    STRATUS_FREEZE_IDLE_AFTER_MS: z.union([z.literal("off"), z.coerce.number().int().min(0).max(60_000)]).default(250),
    /**
     * Firewall rules of the node's own (function-firewall.ts) that keep function
     * containers from every port of this host but the Runtime API; "off" only where
     * the invoker cannot run iptables and something else isolates the host.
     */
    STRATUS_FUNCTION_FIREWALL: z.enum(["on", "off"]).default("on"),
    /** Comma-separated CIDRs function containers may never reach (the metadata address by default). */
    STRATUS_FUNCTION_DENIED_CIDRS: z
      .string()
      .default("169.254.0.0/16")
      .transform((s) =>
        s
          .split(",")
          .map((c) => c.trim())
          .filter(Boolean),
      )
      .refine(
        (list) => list.every((c) => /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(c)),
        "STRATUS_FUNCTION_DENIED_CIDRS must be comma-separated IPv4 CIDRs",
      ),
    /**
     * Whether function containers reach the Stratus endpoint through this node (a
     * forwarding port on the functions network's gateway, endpoint-proxy.ts), named in
     * their AWS_ENDPOINT_URL_<SERVICE> variables; "off": they get neither.
     */
    STRATUS_FUNCTION_ENDPOINT: z.enum(["on", "off"]).default("on"),
    /**
     * How long an execution role's temporary credentials last. A container stops
     * taking invocations once the rest of their life is shorter than its function's
     * timeout and a minute, and is replaced by a new one with new credentials.
     */
    STRATUS_ROLE_CREDENTIALS_SECONDS: z.coerce.number().int().min(1_020).max(43_200).default(3_600),
    /** Where the node writes its internal URL once it listens (a container's health check reads it); unset: nowhere. */
    STRATUS_URL_FILE: z.string().min(1).optional(),
    /** The least severe level the process logs (debug: a line per invocation and Runtime API call). */
    STRATUS_LOG_LEVEL: LogLevelSchema,
    /** How long a function image this node pulled may go unused before it is removed. */
    STRATUS_FUNCTION_IMAGE_TTL_SECONDS: z.coerce.number().int().min(60).default(86_400),
    /** Container image functions: registry credentials and plain-HTTP registries (docs/IMAGE-FUNCTIONS.md). */
    ...RegistryEnvSchema,
    ...OtlpEndpointSchema,
    /** Label sets (account, function, resource) of the per-function metrics past which new functions fold into __other__. */
    STRATUS_METRICS_MAX_FUNCTION_SERIES: MaxFunctionSeriesSchema,
  })
  .transform((e) => ({
    redisUrl: e.STRATUS_REDIS_URL,
    redisCommandTimeoutMs: e.STRATUS_REDIS_COMMAND_TIMEOUT_MS,
    controlPlaneUrl: e.STRATUS_CONTROL_PLANE_URL.replace(/\/$/, ""),
    internalToken: e.STRATUS_INTERNAL_TOKEN,
    nodeId: e.STRATUS_NODE_ID,
    host: e.STRATUS_INVOKER_HOST,
    port: e.STRATUS_INVOKER_PORT,
    codeDir: e.STRATUS_CODE_DIR,
    capacityMb: e.STRATUS_CAPACITY_MB,
    idleTtlMs: e.STRATUS_IDLE_TTL_SECONDS * 1000,
    dockerSocket: e.STRATUS_DOCKER_SOCKET,
    cgroupRoot: e.STRATUS_CGROUP_ROOT,
    logBytesPerInvocation: e.STRATUS_LOG_BYTES_PER_INVOCATION,
    stemCellsPerRuntime: e.STRATUS_STEM_CELLS_PER_RUNTIME,
    stemCellMemoryMb: e.STRATUS_STEM_CELL_MEMORY_MB,
    netSandboxes: e.STRATUS_NET_SANDBOXES,
    sandboxImage: e.STRATUS_SANDBOX_IMAGE,
    deadNodeAfterMs: e.STRATUS_DEAD_NODE_AFTER_SECONDS * 1000,
    urlFile: e.STRATUS_URL_FILE,
    freezeIdleAfterMs: e.STRATUS_FREEZE_IDLE_AFTER_MS === "off" ? undefined : e.STRATUS_FREEZE_IDLE_AFTER_MS,
    functionFirewall: e.STRATUS_FUNCTION_FIREWALL === "on",
    deniedCidrs: e.STRATUS_FUNCTION_DENIED_CIDRS,
    functionEndpoint: e.STRATUS_FUNCTION_ENDPOINT === "on",
    roleCredentialsMs: e.STRATUS_ROLE_CREDENTIALS_SECONDS * 1000,
    logLevel: e.STRATUS_LOG_LEVEL,
    tracing: { otlpEndpoint: otlpEndpoint(e) },
    maxFunctionSeries: e.STRATUS_METRICS_MAX_FUNCTION_SERIES,
    registries: registrySettings(e, (path) => readFileSync(path, "utf8")),
    functionImageTtlMs: e.STRATUS_FUNCTION_IMAGE_TTL_SECONDS * 1000,
  }));

export type InvokerConfig = z.output<typeof InvokerConfigSchema>;
