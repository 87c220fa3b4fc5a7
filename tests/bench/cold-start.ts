// Cold start: the first invoke of a function version that has no container yet,
// through the whole platform, in two kinds: specialising a prewarmed stem cell (its
// code linked in, memory cap raised, identity handed to the waiting runtime, the
// handler loaded, the event run) and a container created from scratch (created,
// started, runtime booted, handler loaded, event run); beside `docker run` of the
// same runtime image measured in the same run (create, start, Node starting and
// exiting, through the Engine API), and beside the engine's floor for a scratch
// start: a container made as the platform makes one (its options, joined to a network
// namespace made beforehand, as the node's sandboxes are) until its Node writes. Each
// platform invoke is checked to have been the kind it is reported as, by the invoker's cold-start counter. Each start, the
// baseline's too, begins with the node at rest (its stem cells and network sandboxes
// made again), as a cold start on a node at rest does.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateFunctionCommand, type CreateFunctionCommandInput } from "@aws-sdk/client-lambda";
import { containerCreateOptions } from "@stratus/invoker";
import { runtimes } from "@stratus/shared";
import Docker from "dockerode";
import type { Stack } from "../helpers/stack.js";
import { nodeFunction } from "../helpers/zip.js";
import { createSignedClient } from "./signed-client.js";
import { type Summary, summarize } from "./stats.js";

export interface ColdStartResult {
  /** From scratch. */
  platform: Summary;
  /** Specialising a stem cell; undefined when the node keeps none. */
  stemCell?: Summary;
  dockerRun: Summary;
  /** Node started and writing in a container made as the platform's scratch ones are. */
  engineFloor: Summary;
}

type Kind = "stem_cell" | "scratch";

async function coldStarts(stack: Stack, kind: Kind): Promise<number> {
  const text = await (await fetch(`${stack.invoker.url}/metrics`)).text();
  const prefix = `stratus_cold_starts_total{runtime="nodejs20.x",kind="${kind}"}`;
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  return line ? Number(line.split(" ").pop()) : 0;
}

/**
 * Waits (not timed) until the node has finished its background work: its stem cells
 * and network sandboxes made again, no container starting or being removed. Each
 * timed start then has the node and the engine to itself, as a cold start on a node
 * at rest does; the `docker run` baseline likewise.
 */
async function nodeAtRest(stack: Stack): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!stack.invoker.pool.preparing()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

const MB128 = 128 * 1024 * 1024;

/** Times `docker run` of `node -e 0` in the nodejs20.x image (128 MB) through the Engine API: create, start, exit. */
async function timeDockerRun(docker: Docker): Promise<number> {
  const t0 = performance.now();
  const container = await docker.createContainer({
    Image: runtimes["nodejs20.x"].image,
    Entrypoint: ["/usr/local/bin/node", "-e", "0"],
    HostConfig: { Memory: MB128, MemorySwap: MB128 },
  });
  await container.start();
  await container.wait();
  const ms = performance.now() - t0;
  await container.remove({ force: true });
  return ms;
}

/**
 * Times a container made as the invoker makes a scratch one (created, attached,
 * started in `sandbox`'s network namespace) until the Node in it has started and
 * written its first byte, as a runtime's first request would go out. Its exit is
 * not timed: the platform answers without waiting for one.
 */
async function timeFloor(docker: Docker, sandbox: string, codeDir: string): Promise<number> {
  const t0 = performance.now();
  const spec = {
    image: runtimes["nodejs20.x"].image,
    env: {},
    labels: {},
    memoryMb: 128,
    ephemeralStorageMb: 1024,
    codeDir,
    entrypoint: ["/usr/local/bin/node", "-e", "process.stdout.write('.')"],
    network: "",
  };
  const container = await docker.createContainer(containerCreateOptions(spec, `container:${sandbox}`));
  const stream = await container.attach({ stream: true, stdout: true, stderr: true });
  const written = new Promise<void>((resolve, reject) => {
    stream.once("data", () => resolve());
    stream.once("end", () => reject(new Error("the floor's container wrote nothing")));
  });
  await container.start();
  await written;
  const ms = performance.now() - t0;
  await container.wait();
  await container.remove({ force: true });
  return ms;
}

type SignedClient = ReturnType<typeof createSignedClient>;

/**
 * Creates a function (not timed), then times its first invoke, signed beforehand like
 * the warm rows' (the row is the platform's round trip, not the client's preparation);
 * checks it was a cold start of `kind`.
 */
async function timeColdInvoke(
  stack: Stack,
  client: SignedClient,
  zip: Buffer,
  kind: Kind,
  config: Partial<CreateFunctionCommandInput>,
) {
  const name = `bench-cold-${randomUUID().slice(0, 8)}`;
  await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/bench",
      Handler: "index.handler",
      Code: { ZipFile: zip },
      ...config,
    }),
  );
  const before = await coldStarts(stack, kind);
  const send = await client.prepare(name, Buffer.from("{}"));
  const t0 = performance.now();
  const out = await send();
  const ms = performance.now() - t0;
  if (out.status !== 200 || out.body.toString() !== "{}")
    throw new Error(`cold invoke failed: ${out.status} ${out.body}`);
  if ((await coldStarts(stack, kind)) !== before + 1) throw new Error(`cold invoke was not a ${kind} start`);
  return ms;
}

/**
 * `stemCells`: the stack's invoker keeps nodejs20.x stem cells. Scratch starts then
 * use a function with a /tmp size no stem cell has (1,024 MB; only the tmpfs cap
 * differs), so both kinds are measured on one node, alternating.
 */
export async function measureColdStarts(stack: Stack, n: number, stemCells = true): Promise<ColdStartResult> {
  const docker = new Docker();
  const zip = await nodeFunction("exports.handler = async (event) => event;");
  const client = createSignedClient(stack.endpoint, stack.region, stack.credentials);
  const platform: number[] = [];
  const stem: number[] = [];
  const dockerRun: number[] = [];
  const floor: number[] = [];
  // The floor's network namespace, made once (not timed), as a node's sandbox is.
  const holder = await docker.createContainer({
    Image: runtimes["nodejs20.x"].image,
    Entrypoint: ["/bin/sleep", "3600"],
    HostConfig: { NetworkMode: "bridge" },
  });
  await holder.start();
  // The floor's code, bound read-only at /var/task as a node binds a function's.
  const codeDir = await mkdtemp(path.join(tmpdir(), "stratus-floor-"));
  await writeFile(path.join(codeDir, "index.js"), "exports.handler = async (event) => event;\n");
  await chmod(codeDir, 0o755);
  const atRest = async (round: number) => {
    if (!(await nodeAtRest(stack)))
      throw new Error(`the node did not come to rest (round ${round}): ${JSON.stringify(stack.invoker.pool.stats())}`);
  };
  try {
    for (let i = 0; i < n; i++) {
      await atRest(i);
      const scratchConfig = stemCells ? { EphemeralStorage: { Size: 1024 } } : {};
      platform.push(await timeColdInvoke(stack, client, zip, "scratch", scratchConfig));

      await atRest(i);
      if (stemCells) {
        if (!stack.invoker.pool.stats().stemCells["nodejs20.x"])
          throw new Error(`no stem cell was replenished (round ${i}): ${JSON.stringify(stack.invoker.pool.stats())}`);
        stem.push(await timeColdInvoke(stack, client, zip, "stem_cell", {}));
        await atRest(i);
      }

      dockerRun.push(await timeDockerRun(docker));
      await atRest(i);
      floor.push(await timeFloor(docker, holder.id, codeDir));
    }
  } finally {
    await holder.remove({ force: true });
    await rm(codeDir, { recursive: true, force: true });
  }
  await client.close();
  return {
    platform: summarize(platform),
    stemCell: stemCells ? summarize(stem) : undefined,
    dockerRun: summarize(dockerRun),
    engineFloor: summarize(floor),
  };
}
