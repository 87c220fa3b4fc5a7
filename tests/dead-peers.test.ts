// A node removes what a dead peer left on its engine: a peer this platform's registry
// knows, silent for longer than STRATUS_DEAD_NODE_AFTER_SECONDS (a node killed and
// never started again under its id). Live peers' containers, and containers of nodes
// the registry has never known (another platform on the same engine), stay.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { InvokerConfigSchema, type RunningInvoker, startInvoker } from "@stratus/invoker";
import { nodeRegistry } from "@stratus/shared";
import Docker from "dockerode";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { containersOf, removeNodeLeftovers } from "./helpers/invoker-process.js";
import { metricValue } from "./helpers/metrics.js";
import { until } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
const docker = new Docker();
const nodeId = () => `test-${randomBytes(4).toString("hex")}`;
const dead = nodeId();
const stranger = nodeId();
let sweeper: RunningInvoker | undefined;
let codeDir: string | undefined;

afterAll(async () => {
  await sweeper?.close();
  if (codeDir) await rm(codeDir, { recursive: true, force: true });
  for (const id of [dead, stranger, sweeper?.nodeId ?? ""]) if (id) await removeNodeLeftovers(id);
});

/** What a node makes on the engine: its functions network, and a container on it. */
async function leaveBehind(node: string): Promise<void> {
  const Labels = { "stratus.managed": "true", "stratus.node": node };
  await docker.createNetwork({ Name: `stratus-fn-${node}`, Driver: "bridge", Labels });
  const c = await docker.createContainer({
    Image: "stratus/base:bookworm",
    Cmd: ["sleep", "600"],
    Labels,
    HostConfig: { NetworkMode: `stratus-fn-${node}` },
  });
  await c.start();
}

const networkExists = async (node: string) =>
  (await docker.listNetworks({ filters: { name: [`stratus-fn-${node}`] } })).length > 0;

describe("dead peer nodes", () => {
  it("removes a dead peer's containers and network, and leaves live peers' and strangers' alone", async () => {
    // The stack's own node is a live peer, with a warm container.
    const fn = await deployFunction(stack.lambda, "live", "exports.handler = async (e) => e;");
    await stack.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from("{}") }));
    const liveContainers = await containersOf(stack.nodeId);
    expect(liveContainers.length).toBeGreaterThan(0);

    await leaveBehind(dead);
    await leaveBehind(stranger);
    const redis = new Redis(stack.redisUrl);
    // The dead peer's last heartbeat, an hour ago; the stranger never beat here.
    await redis.zadd(nodeRegistry.heartbeatsKey, Date.now() - 3_600_000, dead);
    redis.disconnect();
    // Only what was made longer ago than the window (30 s, the least allowed) is removed.
    await new Promise((r) => setTimeout(r, 31_000));

    codeDir = await mkdtemp(path.join(tmpdir(), "stratus-code-"));
    sweeper = await startInvoker(
      InvokerConfigSchema.parse({
        STRATUS_REDIS_URL: stack.redisUrl,
        STRATUS_CONTROL_PLANE_URL: stack.endpoint,
        STRATUS_INTERNAL_TOKEN: stack.internalToken,
        STRATUS_NODE_ID: nodeId(),
        STRATUS_CODE_DIR: codeDir,
        STRATUS_STEM_CELLS_PER_RUNTIME: "0",
        STRATUS_DEAD_NODE_AFTER_SECONDS: "30",
      }),
      { info: () => undefined, warn: () => undefined, error: console.error },
    );
    const url = sweeper.url;
    const removed = (kind: string) => metricValue(url, "stratus_dead_node_leftovers_removed_total", { kind });
    // The network is counted once its removal has returned, a moment after it is gone.
    await until("the dead peer's leftovers to go", async () => (await removed("network")) === 1, 20_000);
    expect(await containersOf(dead)).toEqual([]);
    expect(await networkExists(dead)).toBe(false);
    expect(await removed("container")).toBe(1);
    expect((await containersOf(stranger)).length).toBe(1);
    expect(await networkExists(stranger)).toBe(true);
    expect(await containersOf(stack.nodeId)).toEqual(expect.arrayContaining(liveContainers));
    expect(await networkExists(stack.nodeId)).toBe(true);
    expect(await networkExists(sweeper.nodeId)).toBe(true);
  }, 120_000);
});
