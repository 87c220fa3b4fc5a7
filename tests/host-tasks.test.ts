// A node's capacity bounded by its host's process table (packages/invoker/src/node/
// host-tasks.ts): an invoker process asked for more containers than the host's
// kernel.pid_max and kernel.threads-max could hold at their process limits registers
// the capacity the host does hold, and says why in its log.
import { boundByHostTasks, readHostTaskLimits } from "@stratus/invoker";
import { nodeRegistry } from "@stratus/shared";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDist, type InvokerProcess, spawnInvoker } from "./helpers/invoker-process.js";
import { type Platform, startPlatform } from "./helpers/stack.js";

// A terabyte: more 128 MB containers than any host's tasks hold (pid_max is at most 2^22).
const ASKED_MB = 1024 * 1024;

let platform: Platform;
let node: InvokerProcess;

beforeAll(async () => {
  await buildDist();
  platform = await startPlatform();
  node = await spawnInvoker({
    redisUrl: platform.redisUrl,
    controlPlaneUrl: platform.endpoint,
    internalToken: platform.internalToken,
    env: { STRATUS_CAPACITY_MB: String(ASKED_MB) },
  });
}, 180_000);

afterAll(async () => {
  await node?.stop();
  await platform?.stop();
}, 120_000);

describe("a node asked for more capacity than its host's process table holds", () => {
  it("registers the capacity the host holds, and logs why", async () => {
    const bound = boundByHostTasks(ASKED_MB, readHostTaskLimits());
    expect(bound).toBeDefined();
    const redis = new Redis(platform.redisUrl);
    try {
      const info = JSON.parse((await redis.hget(nodeRegistry.infoKey, node.nodeId)) ?? "{}");
      expect(info.capacityMb).toBe(bound?.capacityMb);
    } finally {
      redis.disconnect();
    }
    expect(node.output()).toContain(`capacity lowered from ${ASKED_MB} MB to ${bound?.capacityMb} MB`);
    expect(node.output()).toContain("sysctl -w kernel.pid_max=4194304");
  });
});
