// An invoker whose start fails part-way (Redis unreachable for its first heartbeat,
// its port taken) throws, and leaves nothing behind on the engine: no functions
// network, no stem cells (including those still being created), no listening servers.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvokerConfigSchema, startInvoker } from "@stratus/invoker";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containersOf, removeNodeLeftovers } from "./helpers/invoker-process.js";

const docker = new Docker();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let codeDir: string;
let taken: Server;
const nodeIds: string[] = [];

beforeAll(async () => {
  codeDir = await mkdtemp(path.join(tmpdir(), "stratus-start-"));
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  for (const id of nodeIds) await removeNodeLeftovers(id);
  await new Promise((resolve) => taken.close(resolve));
  await rm(codeDir, { recursive: true, force: true });
});

function config(env: Record<string, string>) {
  const nodeId = `test-${randomBytes(4).toString("hex")}`;
  nodeIds.push(nodeId);
  return InvokerConfigSchema.parse({
    STRATUS_REDIS_URL: "redis://127.0.0.1:1",
    STRATUS_CONTROL_PLANE_URL: "http://127.0.0.1:1",
    STRATUS_INTERNAL_TOKEN: randomBytes(16).toString("hex"),
    STRATUS_NODE_ID: nodeId,
    STRATUS_CODE_DIR: codeDir,
    STRATUS_STEM_CELLS_PER_RUNTIME: "1",
    ...env,
  });
}

async function leftovers(nodeId: string) {
  const networks = await docker.listNetworks({ filters: { name: [`stratus-fn-${nodeId}`] } });
  return { containers: await containersOf(nodeId), networks: networks.map((n) => n.Name) };
}

describe("an invoker whose start fails", () => {
  it("removes its network and stem cells when Redis cannot take its first heartbeat", async () => {
    const c = config({});
    await expect(startInvoker(c, quiet)).rejects.toThrow();
    expect(await leftovers(c.nodeId)).toEqual({ containers: [], networks: [] });
  }, 60_000);

  it("throws when its port is taken, and removes what it made", async () => {
    const port = (taken.address() as { port: number }).port;
    const c = config({ STRATUS_INVOKER_PORT: String(port) });
    await expect(startInvoker(c, quiet)).rejects.toThrow(/EADDRINUSE/);
    expect(await leftovers(c.nodeId)).toEqual({ containers: [], networks: [] });
  }, 60_000);
});
