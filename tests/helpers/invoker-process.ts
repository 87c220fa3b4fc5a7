// Invoker nodes as real OS child processes (`node packages/invoker/dist/main.js`), so
// that a test can kill -9, SIGSTOP or SIGTERM a node and the control plane sees what
// it would see in production. buildDist() brings dist up to date (tsc -b is
// incremental: about a second when nothing changed). A node counts as started once
// it has heartbeated into Redis after its spawn; stop() removes whatever a killed
// node left behind: its containers (found by their owner labels) and its network.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type NodeInfo, NodeInfoSchema, nodeRegistry } from "@stratus/shared";
import Docker from "dockerode";
import { Redis } from "ioredis";
import { cpuProfileArgs } from "./control-plane-process.js";
import { dockerOutput } from "./docker-log.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const mainJs = path.join(root, "packages/invoker/dist/main.js");
const docker = new Docker();

/** Compiles the packages into dist (incremental), so that processes run the current source. */
export async function buildDist(): Promise<void> {
  const tsc = createRequire(path.join(root, "package.json")).resolve("typescript/bin/tsc");
  await promisify(execFile)(
    process.execPath,
    [tsc, "-b", "packages/shared", "packages/control-plane", "packages/invoker"],
    { cwd: root },
  );
}

export interface InvokerProcessOptions {
  redisUrl: string;
  controlPlaneUrl: string;
  internalToken: string;
  /** Reuse a node id to restart a node (it then removes its predecessor's containers). */
  nodeId?: string;
  /** More STRATUS_* settings over the defaults (capacity 2 GB, no stem cells). */
  env?: Record<string, string>;
  /** Receives all the process writes on stdout and stderr, from its first byte (output() keeps only the tail). */
  onOutput?: (text: string) => void;
}

export interface InvokerProcess {
  nodeId: string;
  /** The node's internal API, as it registered it. */
  url: string;
  pid: number;
  kill(signal: NodeJS.Signals): void;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** The tail of the process's stdout and stderr, for failure messages. */
  output(): string;
  /** Settles once the process has exited and its stdout and stderr have closed: all it wrote has been read. */
  closed: Promise<void>;
  /** Ends the process if it still runs (SIGCONT, SIGTERM, then SIGKILL), then removes its leftovers. */
  stop(): Promise<void>;
}

/** What a node process needs of a running platform (helpers/stack.ts Platform). */
export interface PlatformLink {
  redisUrl: string;
  endpoint: string;
  internalToken: string;
}

/** Spawns `count` node processes, one after another, against `platform`, each with `env`. */
export async function spawnNodes(
  platform: PlatformLink,
  count: number,
  env: Record<string, string>,
): Promise<InvokerProcess[]> {
  const nodes: InvokerProcess[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push(
      await spawnInvoker({
        redisUrl: platform.redisUrl,
        controlPlaneUrl: platform.endpoint,
        internalToken: platform.internalToken,
        env,
      }),
    );
  }
  return nodes;
}

const running = new Set<ChildProcess>();
let exitHook = false;

export async function spawnInvoker(opts: InvokerProcessOptions): Promise<InvokerProcess> {
  const nodeId = opts.nodeId ?? `proc-${randomBytes(4).toString("hex")}`;
  const codeDir = await mkdtemp(path.join(tmpdir(), "stratus-node-"));
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [...cpuProfileArgs(), mainJs], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      STRATUS_REDIS_URL: opts.redisUrl,
      STRATUS_CONTROL_PLANE_URL: opts.controlPlaneUrl,
      STRATUS_INTERNAL_TOKEN: opts.internalToken,
      STRATUS_NODE_ID: nodeId,
      STRATUS_CODE_DIR: codeDir,
      STRATUS_CAPACITY_MB: "2048",
      STRATUS_STEM_CELLS_PER_RUNTIME: "0",
      ...opts.env,
    },
  });
  running.add(child);
  if (!exitHook) {
    exitHook = true;
    // A test run that dies must not leave invoker processes behind.
    process.once("exit", () => {
      for (const c of running) c.kill("SIGKILL");
    });
  }
  let output = "";
  const keep = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    output = (output + text).slice(-16_384);
    opts.onOutput?.(text);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let done = false;
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      running.delete(child);
      resolve({ code, signal });
    });
  });

  const cleanUp = async () => {
    await removeNodeLeftovers(nodeId);
    await rm(codeDir, { recursive: true, force: true });
  };
  let info: NodeInfo;
  try {
    info = await registered(opts.redisUrl, nodeId, spawnedAt, () => done);
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    await cleanUp();
    throw new Error(`invoker ${nodeId} did not start: ${(err as Error).message}\n${output}`);
  }

  return {
    nodeId,
    url: info.url,
    pid: child.pid as number,
    kill: (signal) => {
      if (!done) child.kill(signal);
    },
    exited,
    closed,
    hasExited: () => done,
    output: () => output,
    async stop() {
      if (!done) {
        child.kill("SIGCONT");
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(killer);
      }
      await cleanUp();
    },
  };
}

/** Waits until the node has heartbeated since `since`; fails if the process exits first. */
async function registered(redisUrl: string, nodeId: string, since: number, exited: () => boolean): Promise<NodeInfo> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [score, json] = await Promise.all([
        redis.zscore(nodeRegistry.heartbeatsKey, nodeId),
        redis.hget(nodeRegistry.infoKey, nodeId),
      ]);
      if (score !== null && Number(score) >= since && json) return NodeInfoSchema.parse(JSON.parse(json));
      if (exited()) throw new Error("the process exited");
      if (Date.now() > deadline) throw new Error("no heartbeat within 60 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    redis.disconnect();
  }
}

/** Ids of the containers a node owns (by its owner labels), running or not. */
export async function containersOf(nodeId: string): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`stratus.node=${nodeId}`] } });
  return list.map((c) => c.Id);
}

/** The node that owns a container, from the container's owner label. */
export async function nodeOfContainer(idOrHostname: string): Promise<string | undefined> {
  const info = await docker
    .getContainer(idOrHostname)
    .inspect()
    .catch(() => undefined);
  return info?.Config.Labels?.["stratus.node"];
}

/**
 * The container whose hostname `id` has: a container that joined a network sandbox
 * (NetworkMode container:<sandbox>) shares the sandbox's hostname.
 */
export async function hostnameOwner(id: string): Promise<string> {
  const mode = (await docker.getContainer(id).inspect()).HostConfig.NetworkMode ?? "";
  return mode.startsWith("container:") ? mode.slice("container:".length) : id;
}

/**
 * Everything a container printed (stdout and stderr), e.g. a function's output after
 * its node died; empty if the container is gone (a node removes its containers).
 */
export function containerOutput(id: string): Promise<string> {
  return dockerOutput(id, { stdout: true, stderr: true });
}

/** Removes a node's containers and functions network (what a kill -9'd node leaves). */
export async function removeNodeLeftovers(nodeId: string): Promise<void> {
  for (const id of await containersOf(nodeId)) {
    await docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }
  await docker
    .getNetwork(`stratus-fn-${nodeId}`)
    .remove()
    .catch(() => undefined);
}
