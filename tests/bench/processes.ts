// Runs a control plane as its own OS process (the built dist/main.js), as a
// deployment does, so that a throughput benchmark spreads over the machine's cores
// instead of one event loop (invoker processes: tests/helpers/invoker-process.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../helpers/services.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
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
