// Several invoker nodes: repeated invokes of one function version stay on its home
// node's warm container (cold starts counted from the nodes' metrics), and move to
// another node when the home node leaves; a version's provisioned containers fill the
// nodes in turn, calls at once run in them on every node, and what fits nowhere makes
// the config FAILED.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { InvokerConfigSchema, type RunningInvoker, startInvoker } from "@stratus/invoker";
import { nodeRegistry } from "@stratus/shared";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeNodeLeftovers } from "./helpers/invoker-process.js";
import { metricValue } from "./helpers/metrics.js";
import { until } from "./helpers/poll.js";
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

async function untilThreeNodes() {
  const redis = new Redis(stack.redisUrl);
  const deadline = Date.now() + 15_000;
  while ((await redis.zcard(nodeRegistry.heartbeatsKey)) < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  redis.disconnect();
}

describe("placement over several nodes", () => {
  it("fills the nodes in turn with a version's provisioned containers, and says FAILED for what fits nowhere", async () => {
    await untilThreeNodes();
    const name = `provisioned-${randomBytes(4).toString("hex")}`;
    await stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Role: "arn:aws:iam::123456789012:role/r",
        Handler: "index.handler",
        MemorySize: 1536,
        Code: {
          ZipFile: await nodeFunction(
            `exports.handler = async (e) => {
              await new Promise((r) => setTimeout(r, e.sleepMs ?? 0));
              return { host: require("os").hostname(), init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE };
            };`,
          ),
        },
      }),
    );
    await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const provision = (n: number) =>
      stack.lambda.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: name,
          Qualifier: "1",
          ProvisionedConcurrentExecutions: n,
        }),
      );
    const status = async () =>
      stack.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: "1" }));
    const held = () => [stack.invoker, ...extra].map((n) => n.pool.containerIdsOf(name).length);
    // 1,536 MB each: two fit on the 4,096 MB node, one on each 2,048 MB node, five nowhere.
    await provision(4);
    await until("4 READY", async () => (await status()).Status === "READY", 60_000);
    expect(held()).toEqual([2, 1, 1]);
    // Four calls at once run in the four provisioned containers: a node full with its own passes
    // the call on to the next node that holds some (none starts on demand).
    const answers = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const out = await stack.lambda.send(
          new InvokeCommand({ FunctionName: name, Qualifier: "1", Payload: JSON.stringify({ sleepMs: 1500 }) }),
        );
        return JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { host: string; init: string };
      }),
    );
    expect(answers.map((a) => a.init)).toEqual(Array(4).fill("provisioned-concurrency"));
    expect(new Set(answers.map((a) => a.host)).size).toBe(4);
    expect(held()).toEqual([2, 1, 1]);
    await provision(5);
    await until("5 FAILED", async () => (await status()).Status === "FAILED", 30_000);
    expect(await status()).toMatchObject({
      AllocatedProvisionedConcurrentExecutions: 4,
      StatusReason: "The invoker nodes have no room for 1 of the 5 execution environments",
    });
    await stack.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: "1" }));
    await until("released", async () => held().every((n) => n === 0), 15_000);
  }, 120_000);

  it("keeps a version on its warm home node and moves it when the node leaves", async () => {
    await untilThreeNodes();
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
