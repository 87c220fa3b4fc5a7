// Runs a control plane and invoker nodes as their own OS processes (the built
// dist/main.js of each package), as a deployment does, so that a throughput
// benchmark spreads over the machine's cores instead of one event loop.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

async function startChild(pkg: string, env: Record<string, string>, port: number): Promise<Child> {
  // BENCH_CPU_PROF=<dir>: each process writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, path.join(root, "packages", pkg, "dist", "main.js")], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitHealthy(url, child);
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

export interface ControlPlaneEnv {
  databaseUrl: string;
  redisUrl: string;
  internalToken: string;
  extra?: Record<string, string>;
}

export async function startControlPlaneProcess(env: ControlPlaneEnv): Promise<Child & { dir: string }> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), "stratus-cp-"));
  const child = await startChild(
    "control-plane",
    {
      STRATUS_DATABASE_URL: env.databaseUrl,
      STRATUS_REDIS_URL: env.redisUrl,
      STRATUS_INTERNAL_TOKEN: env.internalToken,
      STRATUS_PORT: String(port),
      STRATUS_BOOTSTRAP_KEY_FILE: path.join(dir, "admin-key.json"),
      ...env.extra,
    },
    port,
  );
  return {
    ...child,
    dir,
    async stop() {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function startInvokerProcess(
  controlPlaneUrl: string,
  redisUrl: string,
  internalToken: string,
  extra: Record<string, string> = {},
): Promise<Child & { nodeId: string }> {
  const port = await freePort();
  const nodeId = `bench-${randomBytes(4).toString("hex")}`;
  const codeDir = await mkdtemp(path.join(tmpdir(), "stratus-code-"));
  const child = await startChild(
    "invoker",
    {
      STRATUS_REDIS_URL: redisUrl,
      STRATUS_CONTROL_PLANE_URL: controlPlaneUrl,
      STRATUS_INTERNAL_TOKEN: internalToken,
      STRATUS_NODE_ID: nodeId,
      STRATUS_INVOKER_PORT: String(port),
      STRATUS_CODE_DIR: codeDir,
      ...extra,
    },
    port,
  );
  return {
    ...child,
    nodeId,
    async stop() {
      await child.stop();
      await rm(codeDir, { recursive: true, force: true });
    },
  };
}
