// Idle warm containers per GiB: how much host memory a warm, idle function container
// costs. N invokes of a function that waits a moment, all at once, make the node
// scale out to N warm containers, which then sit idle; the host's MemAvailable before
// and after, divided by N, is the cost of one. Baseline in the same run: N plain
// containers of the same runtime image, each an idle Node process started through
// the Engine API (what Docker and Node alone cost). Beside MemAvailable, the same
// containers' memory as the kernel charges it (container-memory.ts), and for the
// platform the growth of this process' heap after a full GC (the invoker's and control
// plane's bookkeeping); this process' RSS growth is reported too, as it is part of the
// MemAvailable drop (it also hosts the SDK client that sends the invokes).
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import type { Stack } from "../helpers/stack.js";
import { containersMemory, engineMib } from "./container-memory.js";
import { deployBenchFunction } from "./spec.js";

/** Memory per container as the kernel charges it, MiB. */
export interface Attributed {
  /** Total: the parts below. */
  mib: number;
  cgroupMib: number;
  shimMib: number;
  engineMib: number;
  /** Growth of the harness' heap after a full GC: the invoker's and control plane's bookkeeping (platform only). */
  heapMib: number;
}

export interface DensityResult {
  containers: number;
  /** Host memory per idle warm function container, MiB. */
  platformMib: number;
  /** Host memory per plain idle Node container, MiB. */
  baselineMib: number;
  platform: Attributed;
  baseline: Attributed;
  /** Growth of this process' RSS per platform container, MiB: within the platform's MemAvailable drop. */
  harnessRssMib: number;
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MIB = 2 ** 20;

/** This process' heap in use after a full collection, MiB. */
function heapMib(): number {
  gc();
  return process.memoryUsage().heapUsed / MIB;
}

/** Where the memory of `ids` goes, per container, beside the engine's and heap's readings taken before. */
async function attribute(
  docker: Docker,
  ids: string[],
  before: { engine: number; heap?: number },
): Promise<Attributed> {
  const n = ids.length;
  const { cgroupMib, shimMib } = await containersMemory(docker, ids);
  const parts = {
    cgroupMib: cgroupMib / n,
    shimMib: shimMib / n,
    engineMib: (engineMib() - before.engine) / n,
    heapMib: before.heap === undefined ? 0 : (heapMib() - before.heap) / n,
  };
  return { mib: parts.cgroupMib + parts.shimMib + parts.engineMib + parts.heapMib, ...parts };
}

async function availableMib(): Promise<number> {
  const info = await readFile("/proc/meminfo", "utf8");
  const kb = Number(/MemAvailable:\s+(\d+) kB/.exec(info)?.[1]);
  return kb / 1024;
}

/** MemAvailable after things settle: the median of a few reads a moment apart. */
async function settledMib(): Promise<number> {
  await new Promise((r) => setTimeout(r, 3_000));
  const reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    reads.push(await availableMib());
    await new Promise((r) => setTimeout(r, 300));
  }
  return reads.sort((a, b) => a - b)[2] as number;
}

export async function measureIdleDensity(stack: Stack, n: number): Promise<DensityResult> {
  const name = `bench-idle-${randomUUID().slice(0, 8)}`;
  await deployBenchFunction(
    stack.lambda,
    name,
    stack.credentials.accountId,
    stack.region,
    "exports.handler = () => new Promise((r) => setTimeout(r, 3000));",
    60,
  );
  const docker = new Docker();
  // The heap is collected before the first read, not before the second: if anything,
  // against the platform's MemAvailable row.
  const heapBefore = heapMib();
  const before = await settledMib();
  const engineBefore = engineMib();
  const rssBefore = process.memoryUsage().rss / MIB;
  await Promise.all(
    Array.from({ length: n }, () => stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: "{}" }))),
  );
  const warm = stack.invoker.pool.stats();
  const after = await settledMib();
  if ((warm.byState.idle ?? 0) < n) throw new Error(`expected ${n} idle containers, found ${warm.byState.idle ?? 0}`);
  const harnessRssMib = (process.memoryUsage().rss / MIB - rssBefore) / n;
  // By name: a container that began as a stem cell has no function labels (docs/OPERATIONS.md).
  const own = await docker.listContainers({ filters: { name: [`[.]${name}$`] } });
  if (own.length !== n) throw new Error(`expected ${n} containers of ${name}, found ${own.length}`);
  const platform = await attribute(
    docker,
    own.map((c) => c.Id),
    { engine: engineBefore, heap: heapBefore },
  );

  const plain: Docker.Container[] = [];
  const baseBefore = await settledMib();
  const baseEngine = engineMib();
  try {
    for (let i = 0; i < n; i++) {
      const c = await docker.createContainer({
        Image: "stratus/runtime:nodejs20.x",
        Entrypoint: ["/usr/local/bin/node", "-e", "setInterval(() => {}, 1 << 30)"],
        HostConfig: { Memory: 128 * 2 ** 20, MemorySwap: 128 * 2 ** 20, NetworkMode: "none" },
        Labels: { "stratus.bench": "idle-density" },
      });
      plain.push(c);
      await c.start();
    }
    const baseAfter = await settledMib();
    const baseline = await attribute(
      docker,
      plain.map((c) => c.id),
      { engine: baseEngine },
    );
    return {
      containers: n,
      platformMib: (before - after) / n,
      baselineMib: (baseBefore - baseAfter) / n,
      platform,
      baseline,
      harnessRssMib,
    };
  } finally {
    await Promise.all(plain.map((c) => c.remove({ force: true })));
  }
}
