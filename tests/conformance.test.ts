// The conformance suite: tiny hostile and ordinary fixture functions on real Docker,
// one behaviour each (tests/fixtures/conformance/<family>/<behaviour>), in every
// runtime: timeouts, OOM, exits, handled errors, results JSON cannot hold, fork
// bombs, /tmp fill, log floods, refused privileges and network, oversized answers,
// slow init. Each asserts Lambda's exact error type and, through Docker, whether the
// container was replaced.
// Runtimes run side by side (describe.concurrent): every test has its own function.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CreateFunctionCommandInput, Runtime } from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import { beforeAll, describe, expect, it } from "vitest";
import { deployFunction, invokeFunction, storedLog } from "./helpers/functions.js";
import { metricValue } from "./helpers/metrics.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const docker = new Docker();
const stack = useStack();
/** host:port of everything a function must not reach, by what it is. */
let forbidden: Record<string, string>;

beforeAll(async () => {
  forbidden = await forbiddenTargets();
});

type Family = "nodejs" | "python" | "provided";

/** Each family's runner (answers a ping, hands other events to the behaviour file) and where the behaviour goes. */
const FAMILIES: Record<Family, { runner: string; handler: string; behaviour: string }> = {
  nodejs: { runner: "index.js", handler: "index.handler", behaviour: "behaviour.js" },
  python: { runner: "handler.py", handler: "handler.handler", behaviour: "behaviour.py" },
  provided: { runner: "bootstrap", handler: "behaviour.handle", behaviour: "behaviour.sh" },
};

interface RuntimeCase {
  runtime: Runtime;
  family: Family;
  /** What the refusals fixture reports beyond what every runtime does. */
  moreRefusals?: Record<string, string>;
}

const CASES: RuntimeCase[] = [
  { runtime: "nodejs20.x", family: "nodejs" },
  { runtime: "nodejs22.x", family: "nodejs" },
  { runtime: "nodejs24.x", family: "nodejs" },
  { runtime: "python3.11", family: "python", moreRefusals: { mountSyscall: "EPERM" } },
  { runtime: "provided.al2023", family: "provided" },
];

/**
 * Invocations that fail: Lambda's error, what becomes of the container (a runtime
 * that died or was stopped is replaced; one that reported an error is kept), and
 * the per-function counters that count the failure. `families`: only the runtimes
 * that can fail so (a custom runtime posts its result's bytes as they are).
 */
const FAILURES: {
  what: string;
  behaviour: string;
  families?: Family[];
  config?: Partial<CreateFunctionCommandInput>;
  event?: Record<string, unknown>;
  errorType: string;
  errorMessage: string;
  fate: "kept" | "replaced";
  timeouts?: number;
  oomKills?: number;
}[] = [
  {
    what: "a timeout",
    behaviour: "timeout",
    // Long enough that the pings around it (a custom runtime's bash and curl, with
    // every case running at once on 2 cores) never time out themselves.
    config: { Timeout: 5 },
    errorType: "Sandbox.Timedout",
    errorMessage: "Task timed out after 5.00 seconds",
    fate: "replaced",
    timeouts: 1,
  },
  {
    what: "memory exhaustion",
    behaviour: "oom",
    config: { MemorySize: 128 },
    errorType: "Runtime.OutOfMemory",
    errorMessage: "Runtime exited with error: signal: killed",
    fate: "replaced",
    oomKills: 1,
  },
  {
    what: "exit status 3",
    behaviour: "exit",
    event: { status: 3 },
    errorType: "Runtime.ExitError",
    errorMessage: "Runtime exited with error: exit status 3",
    fate: "replaced",
  },
  {
    what: "exit status 137 (a SIGKILL's, but no OOM)",
    behaviour: "exit",
    event: { status: 137 },
    errorType: "Runtime.ExitError",
    errorMessage: "Runtime exited with error: exit status 137",
    fate: "replaced",
  },
  {
    what: "a thrown error",
    behaviour: "throw",
    errorType: "HandlerError",
    errorMessage: "handled failure",
    fate: "kept",
  },
  ...(
    [
      ["a BigInt result", "bigint"],
      ["a circular result", "circular"],
    ] as const
  ).map(([what, value]) => ({
    what,
    behaviour: "unserialisable",
    families: ["nodejs" as const],
    event: { value },
    errorType: "Runtime.JSONStringifyError",
    errorMessage: "Unable to stringify response body",
    fate: "kept" as const,
  })),
  {
    what: "an object() result",
    behaviour: "unserialisable",
    families: ["python"],
    event: { value: "object" },
    errorType: "Runtime.MarshalError",
    errorMessage: "Unable to marshal response: Object of type object is not JSON serializable",
    fate: "kept",
  },
  {
    what: "a circular result",
    behaviour: "unserialisable",
    families: ["python"],
    event: { value: "circular" },
    errorType: "Runtime.MarshalError",
    errorMessage: "Unable to marshal response: Circular reference detected",
    fate: "kept",
  },
];

/** What every runtime's refusals fixture reports: each attempt refused by the kernel. */
const REFUSED = {
  uid: 10001,
  root: "EROFS",
  task: "EROFS",
  setuid: "EPERM",
  mount: "mount: /mnt: must be superuser to use mount.",
  userns: "unshare: unshare failed: Operation not permitted",
  dockerSocket: false,
};

/** Deploys `behaviour` for `c`'s runtime; a generous timeout unless `config` says otherwise (the machine is shared). */
async function deploy(c: RuntimeCase, behaviour: string, config: Partial<CreateFunctionCommandInput> = {}) {
  const family = FAMILIES[c.family];
  const read = (file: string) =>
    readFile(new URL(`./fixtures/conformance/${c.family}/${file}`, import.meta.url), "utf8");
  const files = {
    [family.runner]: { content: await read(family.runner), mode: 0o755 },
    [family.behaviour]: await read(`${behaviour}${path.extname(family.behaviour)}`),
  };
  return deployFunction(stack, {
    runtime: c.runtime,
    handler: family.handler,
    files,
    config: { Timeout: 30, ...config },
  });
}

/** Invokes with the log's tail, which the assertions show when they fail. */
const invoke = (name: string, event: unknown = {}) => invokeFunction(stack, name, event, { tail: true });

/** Pings the function; the runner answers with its container's hostname, Docker's short container id. */
async function servingContainer(name: string): Promise<string> {
  const { out, text, tail } = await invoke(name, { ping: true });
  expect(out.FunctionError, tail).toBeUndefined();
  expect(text).toMatch(/^"[0-9a-f]{12}"$/);
  return JSON.parse(text) as string;
}

const exists = (id: string) =>
  docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      (err: { statusCode?: number }) => (err.statusCode === 404 ? false : Promise.reject(err)),
    );

/**
 * What became of container `before` after a failed invocation of `name`: it still
 * serves the function (kept), or another does and Docker no longer has it (replaced;
 * polled, as removal follows the answer).
 */
async function fate(name: string, before: string): Promise<string> {
  if ((await servingContainer(name)) === before) return "kept";
  const gone = await waitFor(async () => ((await exists(before)) ? undefined : true), 15_000).then(
    () => true,
    () => false,
  );
  return gone ? "replaced" : "another serves, yet the old one is still there";
}

/** A per-function-version counter of the invoker (stratus_timeouts_total, stratus_oom_kills_total). */
const counter = (metric: string, name: string) =>
  metricValue(stack.invoker.url, metric, { account: stack.credentials.accountId, function: name, version: "$LATEST" });

async function forbiddenTargets(): Promise<Record<string, string>> {
  const network = await docker.getNetwork(`stratus-fn-${stack.nodeId}`).inspect();
  const gateway = network.IPAM?.Config?.[0]?.Gateway as string;
  const port = (url: string) => new URL(url).port;
  const ipOf = async (id: string) =>
    Object.values((await docker.getContainer(id).inspect()).NetworkSettings.Networks)[0]?.IPAddress;
  return {
    "control plane via gateway": `${gateway}:${port(stack.endpoint)}`,
    "invoker via gateway": `${gateway}:${port(stack.invoker.url)}`,
    "postgres via gateway": `${gateway}:${stack.services.postgres.port}`,
    "redis via gateway": `${gateway}:${stack.services.redis.port}`,
    "docker API via gateway": `${gateway}:2375`,
    "postgres container": `${await ipOf(stack.services.postgres.id)}:5432`,
    "redis container": `${await ipOf(stack.services.redis.id)}:6379`,
  };
}

describe.concurrent.each(CASES)("$runtime", (c) => {
  const failures = FAILURES.filter((f) => f.families?.includes(c.family) ?? true);
  it.each(failures)("reports $what as $errorType; the container is $fate", async (f) => {
    const name = await deploy(c, f.behaviour, f.config);
    const before = await servingContainer(name);
    const { out, body, tail } = await invoke(name, f.event);
    expect(out.FunctionError).toBe("Unhandled");
    expect(body, tail).toMatchObject({ errorType: f.errorType, errorMessage: f.errorMessage });
    expect({
      fate: await fate(name, before),
      timeouts: await counter("stratus_timeouts_total", name),
      oomKills: await counter("stratus_oom_kills_total", name),
    }).toEqual({ fate: f.fate, timeouts: f.timeouts ?? 0, oomKills: f.oomKills ?? 0 });
  });

  it("stops a fork bomb at the pids limit (EAGAIN), retires its container, and still starts functions after it", async () => {
    // Reaching the limit takes some seconds, and on a loaded 2-core machine close to 30.
    const name = await deploy(c, "fork-bomb", { MemorySize: 512, Timeout: 90 });
    const { body, tail } = await invoke(name);
    expect(body, tail).toMatchObject({ error: "EAGAIN" });
    expect(tail).toContain("[stratus] this function's sandbox reached its limit of 1024 processes and threads");
    // Retired, not kept warm: what the bomb left running goes with it.
    const containers = () => docker.listContainers({ all: true, filters: { label: [`stratus.function=${name}`] } });
    await waitFor(async () => ((await containers()).length === 0 ? true : undefined), 15_000, {
      what: "the fork bomb's container removed",
    });
    await servingContainer(await deploy(c, "throw"));
  });

  it("fills /tmp only up to its ephemeral storage size (ENOSPC)", async () => {
    // /tmp is memory (tmpfs) charged to the container: the memory size must hold it.
    const name = await deploy(c, "tmp-fill", { MemorySize: 768, EphemeralStorage: { Size: 512 } });
    const { body, tail } = await invoke(name);
    expect(body.code, tail).toBe("ENOSPC");
    expect(body.mb).toBeGreaterThanOrEqual(480);
    expect(body.mb).toBeLessThanOrEqual(512);
  });

  it("caps a flooding invocation's log with a truncation marker", async () => {
    const { out, text, tail } = await invoke(await deploy(c, "log-flood"));
    expect(text).toBe('"flooded"');
    expect(tail).toContain("[stratus] log truncated at 262144 bytes");
    const requestId = out.$metadata.requestId as string;
    const log = await storedLog(stack, requestId);
    expect(log).toContain("[stratus] log truncated at 262144 bytes");
    expect(log).toContain(`REPORT RequestId: ${requestId}`);
    expect(Buffer.byteLength(log)).toBeLessThan(300 * 1024);
  });

  it("is refused writes to / and /var/task, setuid, mount and user namespaces, and has no Docker socket", async () => {
    const { body, tail } = await invoke(await deploy(c, "refusals"));
    expect(body, tail).toEqual({ ...REFUSED, ...c.moreRefusals });
  });

  it("cannot reach Postgres, Redis, the control plane, the invoker or Docker, but reaches its Runtime API", async () => {
    const name = await deploy(c, "probe");
    const { body, tail } = await invoke(name, { targets: Object.values(forbidden) });
    expect(body, tail).toHaveProperty("targets");
    const { control, targets } = body as { control: string; targets: Record<string, string> };
    const reached = (target: string) => targets[target] === "connected";
    expect({
      control,
      ...Object.fromEntries(Object.entries(forbidden).map(([what, target]) => [what, reached(target)])),
    }).toEqual({ control: "connected", ...Object.fromEntries(Object.keys(forbidden).map((what) => [what, false])) });
  });

  it("refuses a response over 6 MB with a clear error, never part of it", async () => {
    const { out, body } = await invoke(await deploy(c, "big-output", { MemorySize: 512 }));
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({
      errorType: "Function.ResponseSizeTooLarge",
      errorMessage: "Response payload size exceeded maximum allowed payload size (6291456 bytes).",
    });
  });

  it("gives init its own time limit: a 4 s init under a 3 s function timeout", async () => {
    const { out, text, tail } = await invoke(await deploy(c, "slow-init", { Timeout: 3 }));
    expect(out.FunctionError, tail).toBeUndefined();
    expect(text).toBe('"ready"');
  });
});
