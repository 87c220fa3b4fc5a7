// Idle warm containers per GiB: how much host memory a warm, idle function container
// costs. N invokes of a function that waits a moment, all at once, make the node
// scale out to N warm containers, which then sit idle; the host's MemAvailable before
// and after, divided by N, is the cost of one. Baseline in the same run: N plain
// containers of the same runtime image, each an idle Node process started through
// the Engine API (what Docker and Node alone cost).
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import type { Stack } from "../helpers/stack.js";
import { deployBenchFunction } from "./spec.js";

export interface DensityResult {
  containers: number;
  /** Host memory per idle warm function container, MiB. */
  platformMib: number;
  /** Host memory per plain idle Node container, MiB. */
  baselineMib: number;
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
  const before = await settledMib();
  await Promise.all(
    Array.from({ length: n }, () => stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: "{}" }))),
  );
  const warm = stack.invoker.pool.stats();
  const after = await settledMib();
  if ((warm.byState.idle ?? 0) < n) throw new Error(`expected ${n} idle containers, found ${warm.byState.idle ?? 0}`);

  const docker = new Docker();
  const plain: Docker.Container[] = [];
  const baseBefore = await settledMib();
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
    return { containers: n, platformMib: (before - after) / n, baselineMib: (baseBefore - baseAfter) / n };
  } finally {
    await Promise.all(plain.map((c) => c.remove({ force: true })));
  }
}
