// Environment variable values never reach the platform's own logs (HARDENING.md S10):
// a control plane and an invoker, each its own process as deployed, log at trace (the
// most verbose level their configuration accepts) while a function's variables go
// through the paths that carry them: CreateFunction, CreateFunction and
// UpdateFunctionConfiguration refused for an invalid environment, an update to a new
// value, sync invokes (warm, cold from a stem cell and from scratch, one that throws,
// one whose runtime exits, one that times out), Event invokes (one retried until it
// is dead-lettered), GetFunction and GetFunctionConfiguration. The function returns the value
// it was given, so the values are known to have flowed through; then, with both
// processes stopped and everything they wrote on stdout and stderr read, no value
// (nor its random part alone) is anywhere in it.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { createPgAccountStore } from "@stratus/control-plane";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settle } from "./helpers/async-load.js";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./helpers/control-plane-process.js";
import { ROLE, uniqueName } from "./helpers/functions.js";
import { buildDist, type InvokerProcess, spawnInvoker } from "./helpers/invoker-process.js";
import { metricValue } from "./helpers/metrics.js";
import { until } from "./helpers/poll.js";
import { type StartedService, startPostgres, startRedis } from "./helpers/services.js";
import { nodeFunction } from "./helpers/zip.js";

/** Each value's random part: found alone in a log, a value was written there (cut or reshaped). */
const nonce = () => randomUUID().replaceAll("-", "");
const parts = { created: nonce(), updated: nonce(), refused: nonce() };
/** The value CreateFunction sets, the one UpdateFunctionConfiguration sets, and the one only ever refused. */
const SECRETS = {
  created: `s3cr3t-${parts.created}`,
  updated: `s3cr3t-${parts.updated}`,
  refused: `s3cr3t-${parts.refused}`,
};
/** Written to the control plane's stderr as it starts: seen in its output, its stderr is collected. */
const STDERR_MARKER = `stderr-collected-${randomBytes(4).toString("hex")}`;

/** Never prints its environment: what reaches a log, the platform put there. */
const SOURCE = `
exports.handler = async (event) => {
  switch (event.op) {
    case "env":
      return { value: process.env.SECRET_VALUE ?? null };
    case "throw":
      throw new Error("failed on purpose");
    case "exit":
      process.exit(3);
    case "hang":
      await new Promise((r) => setTimeout(r, 30000));
      return "late";
    default:
      return { ok: true };
  }
};`;

const internalToken = randomBytes(24).toString("hex");
let services: StartedService[] = [];
let db: pg.Pool;
let dir: string;
let cp: ControlPlaneProcess | undefined;
let cpClosed: Promise<void> = Promise.resolve();
let node: InvokerProcess | undefined;
let lambda: LambdaClient;
let cpOutput = "";
let nodeOutput = "";
const name = uniqueName("unlogged");

beforeAll(async () => {
  await buildDist();
  services = await Promise.all([startPostgres(), startRedis()]);
  db = new pg.Pool({ connectionString: services[0]?.url, max: 2 });
  dir = await mkdtemp(path.join(tmpdir(), "stratus-unlogged-"));
  // startControlPlaneProcess hands on stdout alone (its stderr is inherited): a preload
  // writes the process's stderr to its stdout as well, so that the sink has both.
  const preload = path.join(dir, "stderr-to-stdout.cjs");
  await writeFile(
    preload,
    `const out = process.stdout;
process.stderr.write = (chunk, encoding, cb) => out.write(chunk, encoding, cb);
process.stderr.write(${JSON.stringify(`${STDERR_MARKER}\n`)});
`,
  );
  cp = await startControlPlaneProcess({
    databaseUrl: services[0]?.url as string,
    redisUrl: services[1]?.url as string,
    internalToken,
    extra: {
      STRATUS_LOG_LEVEL: "trace",
      // Access lines at debug: seen in the output, the level is in force.
      STRATUS_ACCESS_LOG: "off",
      NODE_OPTIONS: `--require=${preload}`,
      STRATUS_SECRETS_KEY: randomBytes(32).toString("base64"),
      STRATUS_ASYNC_CONCURRENCY: "4",
      STRATUS_ASYNC_BACKOFF_BASE_MS: "50",
      STRATUS_ASYNC_BACKOFF_CAP_MS: "400",
      STRATUS_ASYNC_RECONCILE_INTERVAL_MS: "500",
      STRATUS_ASYNC_STALE_SECONDS: "2",
    },
    onOutput: (text) => {
      cpOutput += text;
    },
  });
  const cpProcess = cp.process;
  cpClosed = new Promise((resolve) => cpProcess.once("close", () => resolve()));
  node = await spawnInvoker({
    redisUrl: services[1]?.url as string,
    controlPlaneUrl: cp.url,
    internalToken,
    // One stem cell per runtime, as in production: a cold start may specialise one, handing it the variables.
    env: { STRATUS_LOG_LEVEL: "trace", STRATUS_STEM_CELLS_PER_RUNTIME: "1" },
    onOutput: (text) => {
      nodeOutput += text;
    },
  });
  const accounts = createPgAccountStore(db);
  const account = await accounts.createAccount(`unlogged-${randomBytes(3).toString("hex")}`);
  const key = await accounts.createAccessKey(account.id);
  lambda = new LambdaClient({
    endpoint: cp.url,
    region: "us-east-1",
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    maxAttempts: 1,
  });
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  await node?.stop();
  await cp?.stop();
  await db?.end();
  await Promise.all(services.map((s) => s.container.stop({ remove: true })));
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** CreateFunction of the test's function under `functionName`, with `variables`. */
async function createInput(
  functionName: string,
  variables: Record<string, string>,
): Promise<CreateFunctionCommandInput> {
  return {
    FunctionName: functionName,
    Runtime: "nodejs20.x",
    Role: ROLE,
    Handler: "index.handler",
    Timeout: 3,
    Code: { ZipFile: await nodeFunction(SOURCE) },
    Environment: { Variables: variables },
  };
}

/** The error `call` rejects with (it must reject). */
async function refusal(call: Promise<unknown>): Promise<Error> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err, "the request was accepted").toBeInstanceOf(Error);
  return err as Error;
}

/** A sync invoke of `op`, with the log's tail. */
async function invoke(op: string) {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ op })), LogType: "Tail" }),
  );
  return {
    out,
    text: Buffer.from(out.Payload ?? []).toString("utf8"),
    tail: Buffer.from(out.LogResult ?? "", "base64").toString("utf8"),
  };
}

const coldStarts = (kind: string) =>
  metricValue(node?.url as string, "stratus_cold_starts_total", { runtime: "nodejs20.x", kind });

const KINDS = Object.keys(SECRETS) as (keyof typeof SECRETS)[];

/** Which of the values `text` holds, found by their random parts (which a cut or reshaped value keeps). */
const valuesIn = (text: string) => KINDS.filter((k) => text.includes(parts[k]));

/** Each value `text` holds, named, with what surrounds its first occurrence: the failure message. */
const leaks = (text: string) =>
  valuesIn(text).map((k) => {
    const at = text.indexOf(parts[k]);
    return `${k}: …${text.slice(Math.max(0, at - 120), at + 40)}…`;
  });

describe("environment variable values are never logged", () => {
  it("refuses invalid environments holding a value without echoing it, and creates nothing", async () => {
    const invalid: [string, Record<string, string>, RegExp][] = [
      ["reserved key", { AWS_LAMBDA_RUNTIME_API: SECRETS.refused }, /reserved/],
      ["key of a bad name", { "bad-key": SECRETS.refused }, /Environment variable name/],
      ["value with a NUL byte", { SECRET_VALUE: `${SECRETS.refused}\0` }, /NUL/],
      ["value with an unpaired surrogate", { SECRET_VALUE: `${SECRETS.refused}\uDC00` }, /surrogate/],
      ["over 4 KB", { SECRET_VALUE: SECRETS.refused, BIG: "x".repeat(4200) }, /4096/],
    ];
    for (const [what, variables, message] of invalid) {
      const refusedName = uniqueName("refused");
      const err = await refusal(lambda.send(new CreateFunctionCommand(await createInput(refusedName, variables))));
      expect(err.name, what).toBe("InvalidParameterValueException");
      expect(err.message, what).toMatch(message);
      expect(valuesIn(err.message), what).toEqual([]);
      const missing = await refusal(lambda.send(new GetFunctionCommand({ FunctionName: refusedName })));
      expect(missing.name, what).toBe("ResourceNotFoundException");
    }
  });

  it("hands the function its values through create, update, failing invokes and Event invokes", async () => {
    // The stem cells are ready: the first cold start specialises one.
    await until(
      "stem cells ready",
      async () => (await metricValue(node?.url as string, "stratus_containers", { state: "stem" })) >= 4,
      90_000,
      250,
    );
    await lambda.send(new CreateFunctionCommand(await createInput(name, { SECRET_VALUE: SECRETS.created })));

    const first = await invoke("env");
    expect(first.out.FunctionError).toBeUndefined();
    expect(JSON.parse(first.text)).toEqual({ value: SECRETS.created });
    expect((await invoke("env")).text, "warm").toBe(JSON.stringify({ value: SECRETS.created }));

    const thrown = await invoke("throw");
    expect(thrown.out.FunctionError).toBe("Unhandled");
    expect(thrown.text).toContain("failed on purpose");
    const exited = await invoke("exit");
    expect(exited.out.FunctionError).toBe("Unhandled");
    expect(exited.text).toContain("Runtime.ExitError");
    const timedOut = await invoke("hang");
    expect(timedOut.out.FunctionError).toBe("Unhandled");
    expect(timedOut.text).toMatch(/timed out/i);
    // The function's own log (the platform's START, END and REPORT lines among it) holds no value either.
    for (const { tail } of [first, thrown, exited, timedOut]) expect(valuesIn(tail)).toEqual([]);

    // An update refused for its environment changes nothing and echoes nothing.
    const refusedUpdate = await refusal(
      lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: name,
          Environment: { Variables: { SECRET_VALUE: SECRETS.refused, AWS_REGION: SECRETS.refused } },
        }),
      ),
    );
    expect(refusedUpdate.name).toBe("InvalidParameterValueException");
    expect(valuesIn(refusedUpdate.message)).toEqual([]);
    expect((await invoke("env")).text).toBe(JSON.stringify({ value: SECRETS.created }));

    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        Environment: { Variables: { SECRET_VALUE: SECRETS.updated } },
      }),
    );
    // Two at once on the new configuration: two cold starts, one stem cell at most (the other from scratch).
    const both = await Promise.all([invoke("env"), invoke("env")]);
    for (const { text } of both) expect(text).toBe(JSON.stringify({ value: SECRETS.updated }));

    // Event invokes: one that succeeds, one that throws and is retried until it is dead-lettered (no destination).
    for (const op of ["env", "throw"]) {
      const out = await lambda.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: "Event",
          Payload: Buffer.from(JSON.stringify({ op })),
        }),
      );
      expect(out.StatusCode).toBe(202);
    }
    const statuses = [...(await settle(db, name, 2, 60_000)).values()].sort();
    expect(statuses).toEqual(["dead_lettered", "succeeded"]);

    // The API answers the owner with the value: that is the API, not a log.
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(configuration.Environment?.Variables).toEqual({ SECRET_VALUE: SECRETS.updated });
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(fn.Configuration?.Environment?.Variables).toEqual({ SECRET_VALUE: SECRETS.updated });

    expect(await coldStarts("stem_cell")).toBeGreaterThanOrEqual(1);
    expect(await coldStarts("scratch")).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it("no value is anywhere in what the control plane and the invoker wrote, at trace level", async () => {
    // Stopped (they drain, logging as they go), and their pipes read to the end.
    await node?.stop();
    await node?.closed;
    await cp?.stop();
    await cpClosed;

    // The collection works: the control plane's stderr, debug lines from both, and the requests above.
    expect(cpOutput).toContain(STDERR_MARKER);
    expect(cpOutput).toMatch(/"level":"debug".*"msg":"access"/);
    expect(cpOutput).toContain('"operation":"UpdateFunctionConfiguration"');
    expect(cpOutput).toContain(name);
    expect(nodeOutput).toContain('"msg":"invocation served"');
    expect(nodeOutput).toContain('"level":"debug"');

    expect(leaks(cpOutput), "control plane").toEqual([]);
    expect(leaks(nodeOutput), "invoker").toEqual([]);
  }, 120_000);
});
