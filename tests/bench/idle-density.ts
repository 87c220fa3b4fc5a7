// Idle warm containers per GiB: how much host memory a warm, idle function container
// costs. N invokes of a function that waits a moment, all at once, make the node
// scale out to N warm containers, which then sit idle; the host's available memory
// before and after (see availableMib and settledMib), divided by N, is the cost of one. Baseline in the same run: N plain
// containers of the same runtime image, each an idle Node process started through
// the Engine API (what Docker and Node alone cost). Beside MemAvailable, the same
// containers' memory as the kernel charges it (container-memory.ts), and for the
// platform the growth of this process' heap after a full GC (the invoker's and control
// plane's bookkeeping); this process' RSS growth is reported too, as it is part of the
// MemAvailable drop (it also hosts the SDK client that sends the invokes). Both rows
// are measured in several rounds; the function is deleted between them.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DeleteFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import type { Stack } from "../helpers/stack.js";
import { containersMemory, engineMib } from "./container-memory.js";
import { deployBenchFunction } from "./spec.js";
import { summarize } from "./stats.js";

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

/** One round: the platform's row, then the plain containers'. */
export interface DensityRound {
  /** Host memory per idle warm function container, MiB (available memory, as availableMib reads it). */
  platformMib: number;
  /** Host memory per plain idle Node container, MiB (the same reading). */
  baselineMib: number;
  platform: Attributed;
  baseline: Attributed;
  /** Growth of this process' RSS per platform container, MiB: within the platform's MemAvailable drop. */
  harnessRssMib: number;
}

/** The rounds' available-memory readings by their median, the kernel's charges by their mean. */
export interface DensityResult extends DensityRound {
  containers: number;
  rounds: DensityRound[];
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MIB = 2 ** 20;
const PAGE_BYTES = 4096;

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

/**
 * MemAvailable, plus the free pages parked on the per-CPU lists (/proc/zoneinfo's
 * `count:` lines), which MemFree and MemAvailable leave out. The kernel sizes those
 * lists by the allocation traffic it sees (up to `high_max`, here 544 MiB a CPU): 48
 * `docker run`s grew them from 52 to 135 MiB, which MemAvailable read as used, and
 * they stayed that size after the containers were removed.
 */
async function availableMib(): Promise<number> {
  const [info, zones] = await Promise.all([readFile("/proc/meminfo", "utf8"), readFile("/proc/zoneinfo", "utf8")]);
  const kb = Number(/MemAvailable:\s+(\d+) kB/.exec(info)?.[1]);
  let perCpuPages = 0;
  for (const m of zones.matchAll(/^\s+count:\s+(\d+)$/gm)) perCpuPages += Number(m[1]);
  return kb / 1024 + (perCpuPages * PAGE_BYTES) / MIB;
}

/**
 * Available memory after things settle: the median of a few reads a moment apart,
 * made once the kernel has dropped its clean caches (page cache, dentries, inodes),
 * so that what it reclaims on its own in the middle of a row (the rows before leave
 * plenty) is not read as the row's. Without this, one round read -8.4 MiB per warm
 * container.
 */
async function settledMib(): Promise<number> {
  await new Promise((r) => setTimeout(r, 3_000));
  execFileSync("sync");
  await writeFile("/proc/sys/vm/drop_caches", "3");
  const reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    reads.push(await availableMib());
    await new Promise((r) => setTimeout(r, 300));
  }
  return reads.sort((a, b) => a - b)[2] as number;
}

/**
 * `rounds` rounds of both rows, one after the other: MemAvailable moves with
 * everything else on the machine (one round's ratio read anywhere from 0.26 to 0.99
 * on unchanged code), so it is read several times and the median reported.
 */
export async function measureIdleDensity(stack: Stack, n: number, rounds: number): Promise<DensityResult> {
  const docker = new Docker();
  const all: DensityRound[] = [];
  for (let i = 0; i < rounds; i++) {
    const platform = await platformRow(stack, docker, n);
    const baseline = await baselineRow(docker, n);
    all.push({
      platformMib: platform.mib,
      baselineMib: baseline.mib,
      platform: platform.attributed,
      baseline: baseline.attributed,
      harnessRssMib: platform.harnessRssMib,
    });
  }
  return {
    containers: n,
    platformMib: median(all.map((r) => r.platformMib)),
    baselineMib: median(all.map((r) => r.baselineMib)),
    platform: meanAttributed(all.map((r) => r.platform)),
    baseline: meanAttributed(all.map((r) => r.baseline)),
    harnessRssMib: mean(all.map((r) => r.harnessRssMib)),
    rounds: all,
  };
}

const median = (xs: number[]) => summarize(xs).p50;
const mean = (xs: number[]) => summarize(xs).mean;
const meanAttributed = (as: Attributed[]): Attributed => ({
  mib: mean(as.map((a) => a.mib)),
  cgroupMib: mean(as.map((a) => a.cgroupMib)),
  shimMib: mean(as.map((a) => a.shimMib)),
  engineMib: mean(as.map((a) => a.engineMib)),
  heapMib: mean(as.map((a) => a.heapMib)),
});

/** N warm containers of a new function, made by N invokes at once and left idle; the function deleted after. */
async function platformRow(stack: Stack, docker: Docker, n: number) {
  const name = `bench-idle-${randomUUID().slice(0, 8)}`;
  await deployBenchFunction(
    stack.lambda,
    name,
    stack.credentials.accountId,
    stack.region,
    "exports.handler = () => new Promise((r) => setTimeout(r, 3000));",
    60,
  );
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
  const own = () => docker.listContainers({ all: true, filters: { name: [`[.]${name}$`] } });
  const ids = (await own()).map((c) => c.Id);
  if (ids.length !== n) throw new Error(`expected ${n} containers of ${name}, found ${ids.length}`);
  const attributed = await attribute(docker, ids, { engine: engineBefore, heap: heapBefore });
  // Deleted, the function's warm containers are removed within seconds: the next round starts without them.
  await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  const deadline = Date.now() + 60_000;
  while ((await own()).length > 0) {
    if (Date.now() > deadline) throw new Error(`the containers of ${name} outlived it by a minute`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { mib: (before - after) / n, attributed, harnessRssMib };
}

/** N plain containers of the same image, each an idle Node process; removed after. */
async function baselineRow(docker: Docker, n: number) {
  const plain: Docker.Container[] = [];
  gc();
  const before = await settledMib();
  const engineBefore = engineMib();
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
    const after = await settledMib();
    const attributed = await attribute(
      docker,
      plain.map((c) => c.id),
      { engine: engineBefore },
    );
    return { mib: (before - after) / n, attributed };
  } finally {
    await Promise.all(plain.map((c) => c.remove({ force: true })));
  }
}
