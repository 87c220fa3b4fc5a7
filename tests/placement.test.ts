// Several invoker nodes: repeated invokes of one function version stay on its home
// node's warm container (cold starts counted from the nodes' metrics), and move to
// another node when the home node leaves.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { InvokerConfigSchema, type RunningInvoker, startInvoker } from "@stratus/invoker";
import { nodeRegistry } from "@stratus/shared";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeNodeLeftovers } from "./helpers/invoker-process.js";
import { metricValue } from "./helpers/metrics.js";
import { type Stack, startStack } from "./helpers/stack.js";
import { nodeFunction } from "./helpers/zip.js";

let stack: Stack;
const extra: RunningInvoker[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  for (let i = 0; i < 2; i++) {
    const dir = await mkdtemp(path.join(tmpdir(), "stratus-node-"));
    dirs.push(dir);
    extra.push(
      await startInvoker(
        InvokerConfigSchema.parse({
          STRATUS_REDIS_URL: stack.redisUrl,
          STRATUS_CONTROL_PLANE_URL: stack.endpoint,
          STRATUS_INTERNAL_TOKEN: stack.internalToken,
          STRATUS_NODE_ID: `extra-${randomBytes(4).toString("hex")}`,
          STRATUS_CODE_DIR: dir,
          STRATUS_CAPACITY_MB: "2048",
        }),
        { info: () => undefined, warn: console.warn, error: console.error },
      ),
    );
  }
}, 180_000);

afterAll(async () => {
  for (const node of extra) {
    await node.close().catch(() => undefined);
    await removeNodeLeftovers(node.nodeId);
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  await stack?.stop();
}, 120_000);

const coldStarts = (node: { url: string }) => metricValue(node.url, "stratus_cold_starts_total");

describe("placement over several nodes", () => {
  it("keeps a version on its warm home node and moves it when the node leaves", async () => {
    const redis = new Redis(stack.redisUrl);
    const deadline = Date.now() + 15_000;
    while ((await redis.zcard(nodeRegistry.heartbeatsKey)) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    redis.disconnect();
    // The control plane caches the node list for half a second.
    await new Promise((r) => setTimeout(r, 700));

    const nodes = [stack.invoker, ...extra];
    // Stem cells carry no function label: ask each node's pool which one serves it.
    const homeOf = async (name: string) => nodes.find((n) => n.pool.containerIdsOf(name).length > 0)?.nodeId;
    // Rendezvous hashing decides the home; pick a function whose home is a node this
    // test may stop (two of the three are), so that the move is always exercised.
    let name = "";
    let home: RunningInvoker | undefined;
    let before: number[] = [];
    for (let attempt = 0; attempt < 8 && !home; attempt++) {
      name = `home-${randomBytes(4).toString("hex")}`;
      await stack.lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: "nodejs20.x",
          Role: "arn:aws:iam::123456789012:role/r",
          Handler: "index.handler",
          Code: { ZipFile: await nodeFunction("exports.handler = async () => require('os').hostname();") },
        }),
      );
      before = await Promise.all(nodes.map(coldStarts));
      await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
      const homeId = await homeOf(name);
      home = extra.find((n) => n.nodeId === homeId);
    }
    expect(home).toBeDefined();

    const hosts = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
      hosts.add(JSON.parse(Buffer.from(out.Payload ?? []).toString()));
    }
    const after = await Promise.all(nodes.map(coldStarts));
    // Eleven invokes, one cold start, all on one container.
    expect(after.reduce((sum, n, i) => sum + n - (before[i] as number), 0)).toBe(1);
    expect(hosts.size).toBe(1);

    await home?.close();
    extra.splice(extra.indexOf(home as RunningInvoker), 1);
    await new Promise((r) => setTimeout(r, 700));
    const moved = await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    expect(moved.FunctionError).toBeUndefined();
    expect(hosts.has(JSON.parse(Buffer.from(moved.Payload ?? []).toString()))).toBe(false);
    expect(await homeOf(name)).not.toBe(home?.nodeId);
  }, 120_000);
});
