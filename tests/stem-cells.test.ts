// Stem cells on real Docker: prewarmed generic runtime containers, hardened like
// function containers, specialised on a version's first invoke (its code, handler,
// environment and memory cap), replenished in the background, bound to that one
// function for good, destroyed on failure; cold starts fall back to scratch when no
// stem cell fits, or when the function sets a variable its runtime reads only at start.
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { CreateFunctionCommand, type CreateFunctionCommandInput, InvokeCommand } from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricValue } from "./helpers/metrics.js";
import { until } from "./helpers/poll.js";
import { type Stack, startStack } from "./helpers/stack.js";
import { makeZip, type ZipFiles } from "./helpers/zip.js";

const docker = new Docker();
const MB = 1024 * 1024;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ STRATUS_STEM_CELLS_PER_RUNTIME: "1" });
}, 120_000);

afterAll(async () => {
  if (!stack) return;
  await stack.stop();
  const left = await docker.listContainers({ all: true, filters: { label: [`stratus.node=${stack.nodeId}`] } });
  expect(left).toEqual([]);
}, 60_000);

const NODE_APP = `const os = require("os");
const http = require("http");
exports.main = async (event) => {
  if (event.probe) {
    // Ask the Runtime API for an identity again, as a stem cell would.
    const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
    const status = await new Promise((resolve, reject) =>
      http.get({ host, port, path: "/2018-06-01/stratus/specialise" }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on("error", reject));
    return { status };
  }
  return {
    host: os.hostname(),
    greeting: process.env.GREETING,
    fn: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    handler: process.env._HANDLER,
    files: require("fs").readdirSync("/var/task").sort(),
  };
};`;

async function deploy(files: ZipFiles, config: Partial<CreateFunctionCommandInput> = {}): Promise<string> {
  const name = `stem-${randomBytes(4).toString("hex")}`;
  await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/r",
      Handler: "app.main",
      Code: { ZipFile: await makeZip(files) },
      ...config,
    }),
  );
  return name;
}

async function invoke(name: string, event: unknown = {}) {
  const out = await stack.lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const text = Buffer.from(out.Payload ?? []).toString("utf8");
  const body = text ? JSON.parse(text) : undefined;
  if (typeof body?.host === "string") served.add(body.host);
  return { error: out.FunctionError, body };
}

/**
 * Hostnames (short ids) of containers that have served a function. Labels are fixed
 * at create, so a specialised stem cell keeps its stratus.stem label: these are
 * left out of the ready stem cells below.
 */
const served = new Set<string>();

/** Ready stem cells of `runtime` on this node, polled until there are `n` (or a deadline passes). */
async function stems(runtime: string, n = 1): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const list = await docker.listContainers({
      filters: { label: [`stratus.node=${stack.nodeId}`, `stratus.stem=${runtime}`], status: ["running"] },
    });
    const ids = list.map((c) => c.Id).filter((id) => !served.has(id.slice(0, 12)));
    const ready = stack.invoker.pool.stats().stemCells[runtime] ?? 0;
    if ((ids.length >= n && ready >= n) || Date.now() > deadline) return ids;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the node has made again all it keeps ahead of need (stem cells, network sandboxes). */
async function atRest(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (stack.invoker.pool.preparing() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(stack.invoker.pool.preparing()).toBe(false);
}

const coldStarts = (runtime: string, kind: string) =>
  metricValue(stack.invoker.url, "stratus_cold_starts_total", { runtime, kind });
/** How many Init Durations the node has observed for cold starts of `kind`. */
const initDurations = (runtime: string, kind: string) =>
  metricValue(stack.invoker.url, "stratus_init_duration_seconds_count", { runtime, kind });

describe("stem cells", () => {
  it("keeps one hardened, function-less stem cell per runtime with an empty /var/task of its own", async () => {
    for (const runtime of ["nodejs20.x", "nodejs22.x", "nodejs24.x", "python3.11"]) {
      const [id] = await stems(runtime);
      expect(id, runtime).toBeDefined();
      const info = await docker.getContainer(id as string).inspect();
      expect(info.Config.Labels["stratus.function"]).toBeUndefined();
      expect(info.Config.Labels["stratus.managed"]).toBe("true");
      expect(info.Config.User).toBe("10001:10001");
      expect(info.HostConfig.Memory).toBe(128 * MB);
      expect(info.HostConfig.MemorySwap).toBe(128 * MB);
      expect(info.HostConfig.ReadonlyRootfs).toBe(true);
      expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
      expect(info.HostConfig.SecurityOpt).toContain("no-new-privileges:true");
      expect(info.HostConfig.NetworkMode).toBe(`stratus-fn-${stack.nodeId}`);
      const task = info.Mounts.find((m) => m.Destination === "/var/task");
      expect(task?.RW).toBe(false);
      expect(task?.Source).toMatch(/\/\.stems\/[0-9a-f-]+$/);
      expect(await readdir(task?.Source as string)).toEqual([]);
    }
    const text = await (await fetch(`${stack.invoker.url}/metrics`)).text();
    expect(text).toMatch(/stratus_containers\{state="stem"\} [1-9]/);
  });

  it("specialises a stem cell on a first invoke: code, handler, environment and memory cap", async () => {
    const [stemId] = await stems("nodejs20.x");
    const before = await coldStarts("nodejs20.x", "stem_cell");
    const initsBefore = await initDurations("nodejs20.x", "stem_cell");
    const name = await deploy(
      { "app.js": NODE_APP, "extra.txt": "x" },
      { MemorySize: 256, Environment: { Variables: { GREETING: "hello" } } },
    );
    const out = await invoke(name);
    expect(out.error).toBeUndefined();
    expect(out.body).toEqual({
      host: (stemId as string).slice(0, 12),
      greeting: "hello",
      fn: name,
      memory: "256",
      handler: "app.main",
      files: ["app.js", "extra.txt"],
    });
    expect(await coldStarts("nodejs20.x", "stem_cell")).toBe(before + 1);
    expect(await initDurations("nodejs20.x", "stem_cell")).toBe(initsBefore + 1);
    // Its labels still name no function (fixed at create); the pool knows whose it is,
    // and its name, given once specialised, finds it as `docker ps` would.
    expect(stack.invoker.pool.containerIdsOf(name, stack.credentials.accountId)).toEqual([stemId]);
    const byName = async () =>
      (
        await docker.listContainers({
          filters: { name: [`^stratus[.]${stack.credentials.accountId}[.].*[.]${name}$`] },
        })
      ).map((c) => c.Id);
    await until("the stem cell named for its function", async () => (await byName()).includes(stemId as string), 5_000);
    const info = await docker.getContainer(stemId as string).inspect();
    expect(info.HostConfig.Memory).toBe(256 * MB);
    expect(info.HostConfig.MemorySwap).toBe(256 * MB);

    // Bound for good: the specialised container cannot ask for an identity again.
    expect((await invoke(name, { probe: true })).body).toEqual({ status: 403 });
  });

  it("replenishes the stem cell in the background", async () => {
    const [used] = await stems("nodejs20.x");
    const name = await deploy({ "app.js": NODE_APP });
    expect((await invoke(name)).body.host).toBe((used as string).slice(0, 12));
    // The node says it is still at work until the stem cell is made again.
    expect(stack.invoker.pool.preparing()).toBe(true);
    const after = await stems("nodejs20.x");
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(used);
    await atRest();
    expect(stack.invoker.pool.stats().stemCells["nodejs20.x"]).toBe(1);
  });

  it("never lets a stem cell serve another function: each gets its own container", async () => {
    const a = await deploy({ "app.js": NODE_APP });
    await stems("nodejs20.x");
    const hostA = (await invoke(a)).body.host;
    await stems("nodejs20.x");
    const b = await deploy({ "app.js": NODE_APP });
    const hostB = (await invoke(b)).body.host;
    expect(hostB).not.toBe(hostA);
    // Warm reuse still holds, per function.
    expect((await invoke(a)).body.host).toBe(hostA);
    expect((await invoke(b)).body.host).toBe(hostB);
    const text = await (await fetch(`${stack.invoker.url}/metrics`)).text();
    expect(text).toMatch(/stratus_containers\{state="idle"\} [2-9]/);
  });

  it("starts from scratch when no stem cell fits (another /tmp size), in a network sandbox made ahead", async () => {
    await stems("nodejs20.x");
    const sandboxes = async () =>
      (
        await docker.listContainers({
          filters: { label: [`stratus.node=${stack.nodeId}`, "stratus.role=net-sandbox"], status: ["running"] },
        })
      ).map((c) => c.Id);
    const deadline = Date.now() + 30_000;
    while ((await sandboxes()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const ready = await sandboxes();
    const before = await coldStarts("nodejs20.x", "scratch");
    const initsBefore = await initDurations("nodejs20.x", "scratch");
    const name = await deploy({ "app.js": NODE_APP }, { EphemeralStorage: { Size: 1024 } });
    const out = await invoke(name);
    expect(out.error).toBeUndefined();
    expect(await coldStarts("nodejs20.x", "scratch")).toBe(before + 1);
    expect(await initDurations("nodejs20.x", "scratch")).toBe(initsBefore + 1);
    const [c] = await docker.listContainers({
      filters: { label: [`stratus.node=${stack.nodeId}`, `stratus.function=${name}`] },
    });
    // Found by its name as well as by its labels.
    expect((await docker.listContainers({ filters: { name: [`[.]${name}$`] } })).map((x) => x.Id)).toEqual([c?.Id]);
    // It joined one of the ready sandboxes' network namespace (and shares its hostname).
    const mode = (await docker.getContainer(c?.Id as string).inspect()).HostConfig.NetworkMode ?? "";
    expect(mode).toMatch(/^container:/);
    const sandboxId = mode.slice("container:".length);
    expect(ready).toContain(sandboxId);
    expect(sandboxId.slice(0, 12)).toBe(out.body.host);
    // Its sandbox is to be made again: the node is at work until it is.
    expect(stack.invoker.pool.preparing()).toBe(true);
    // The function's container is the only one in that sandbox: the reserve refills with new ones.
    const deadline2 = Date.now() + 30_000;
    while ((await sandboxes()).filter((id) => !ready.includes(id)).length === 0 && Date.now() < deadline2) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await sandboxes()).filter((id) => !ready.includes(id)).length).toBeGreaterThan(0);
    await atRest();
  });

  it("destroys a stem cell whose function fails to initialise, never returning it to the pool", async () => {
    const [stemId] = await stems("nodejs20.x");
    const name = await deploy({ "app.js": NODE_APP }, { Handler: "app.missing" });
    const out = await invoke(name);
    expect(out.error).toBe("Unhandled");
    expect(out.body.errorType).toBe("Runtime.HandlerNotFound");
    const deadline = Date.now() + 10_000;
    while ((await docker.listContainers({ all: true, filters: { id: [stemId as string] } })).length > 0) {
      if (Date.now() > deadline) throw new Error("failed stem cell was not removed");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const fresh = await stems("nodejs20.x");
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).not.toBe(stemId);
  });

  it("specialises a python3.11 stem cell", async () => {
    const [stemId] = await stems("python3.11");
    const before = await coldStarts("python3.11", "stem_cell");
    const name = await deploy(
      {
        "main.py":
          "import os, socket\ndef handler(event, context):\n    return {'host': socket.gethostname(), 'greeting': os.environ.get('GREETING'), 'memory': context.memory_limit_in_mb}\n",
      },
      { Runtime: "python3.11", Handler: "main.handler", Environment: { Variables: { GREETING: "hi" } } },
    );
    const out = await invoke(name);
    expect(out.error).toBeUndefined();
    expect(out.body).toMatchObject({ host: (stemId as string).slice(0, 12), greeting: "hi" });
    expect(String(out.body.memory)).toBe("128");
    expect(await coldStarts("python3.11", "stem_cell")).toBe(before + 1);
  });
});

describe("a Node function larger than 512 MB", () => {
  it("starts from scratch, so that Node sizes its heap for the function's memory, not the stem cell's", async () => {
    const [stemId] = await stems("nodejs20.x");
    const scratch = await coldStarts("nodejs20.x", "scratch");
    const stem = await coldStarts("nodejs20.x", "stem_cell");
    const code = await readFile(new URL("./fixtures/stem-cells/heap.js", import.meta.url), "utf8");
    const out = await invoke(await deploy({ "heap.js": code }, { Handler: "heap.handler", MemorySize: 1024 }));
    expect(out.error, JSON.stringify(out.body)).toBeUndefined();
    // Half the cap for 1,024 MB; a 128 MB stem cell's Node keeps a 259 MB heap limit.
    expect(out.body.heapLimitMb).toBeGreaterThanOrEqual(512);
    expect(out.body.host).not.toBe((stemId as string).slice(0, 12));
    expect({
      scratch: await coldStarts("nodejs20.x", "scratch"),
      stem: await coldStarts("nodejs20.x", "stem_cell"),
    }).toEqual({ scratch: scratch + 1, stem });
  });
});

/** What a function sets that its runtime reads only as its process starts, and how the function shows it took effect. */
const START_ONLY: {
  what: string;
  runtime: "nodejs20.x" | "nodejs22.x" | "nodejs24.x" | "python3.11";
  file: string;
  handler: string;
  variables: Record<string, string>;
  applied: (body: Record<string, unknown>) => boolean;
}[] = [
  ...(["nodejs20.x", "nodejs22.x", "nodejs24.x"] as const).map((runtime) => ({
    what: "NODE_OPTIONS=--max-old-space-size=96",
    runtime,
    file: "heap.js",
    handler: "heap.handler",
    variables: { NODE_OPTIONS: "--max-old-space-size=96" },
    // V8 adds its young generation (a few MB) to the old space's limit; left alone,
    // a 128 MB container's heap limit is 259 MB.
    applied: (body: Record<string, unknown>) =>
      (body.heapLimitMb as number) >= 96 && (body.heapLimitMb as number) < 128,
  })),
  {
    // Accepted as in Lambda; read by the dynamic loader as the runtime starts.
    what: "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libz.so.1",
    runtime: "nodejs20.x",
    file: "preload.js",
    handler: "preload.handler",
    variables: { LD_PRELOAD: "/usr/lib/x86_64-linux-gnu/libz.so.1" },
    applied: (body: Record<string, unknown>) => body.preloaded === true,
  },
  {
    what: "PYTHONPATH=/var/task/lib",
    runtime: "python3.11",
    file: "paths.py",
    handler: "paths.handler",
    variables: { PYTHONPATH: "/var/task/lib" },
    applied: (body: Record<string, unknown>) => body.libOnPath === true,
  },
];

describe.each(START_ONLY)("$runtime with $what", (c) => {
  const deployWith = async (variables?: Record<string, string>) => {
    const code = await readFile(new URL(`./fixtures/stem-cells/${c.file}`, import.meta.url), "utf8");
    return deploy(
      { [c.file]: code },
      { Runtime: c.runtime, Handler: c.handler, ...(variables ? { Environment: { Variables: variables } } : {}) },
    );
  };
  const counts = async () => ({
    scratch: await coldStarts(c.runtime, "scratch"),
    stem: await coldStarts(c.runtime, "stem_cell"),
  });

  it("starts from scratch, where the variables apply, though a stem cell is ready", async () => {
    const [stemId] = await stems(c.runtime);
    expect(stemId).toBeDefined();
    const before = await counts();
    const out = await invoke(await deployWith(c.variables));
    expect(out.error, JSON.stringify(out.body)).toBeUndefined();
    expect(c.applied(out.body), JSON.stringify(out.body)).toBe(true);
    expect(out.body.host).not.toBe((stemId as string).slice(0, 12));
    expect(await counts()).toEqual({ scratch: before.scratch + 1, stem: before.stem });
  });

  it("still gives a function without them a stem cell", async () => {
    const [stemId] = await stems(c.runtime);
    const before = await counts();
    const out = await invoke(await deployWith());
    expect(out.error, JSON.stringify(out.body)).toBeUndefined();
    expect(c.applied(out.body), JSON.stringify(out.body)).toBe(false);
    expect(out.body.host).toBe((stemId as string).slice(0, 12));
    expect(await counts()).toEqual({ scratch: before.scratch, stem: before.stem + 1 });
  });
});
