// Runs a control plane as its own OS process (the built dist/main.js), as a
// deployment does: so that a fault test can kill -9 it and start it again on the same
// port, and a throughput benchmark spreads over the machine's cores instead of one
// event loop (invoker processes: invoker-process.ts; build first with `pnpm build`).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./services.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface ControlPlaneProcess {
  url: string;
  port: number;
  process: ChildProcess;
  /** Settles when the process has exited. */
  exited: Promise<void>;
  /** Ends the process if it still runs (SIGTERM: it drains), and removes its files. */
  stop(): Promise<void>;
}

export interface ControlPlaneEnv {
  databaseUrl: string;
  redisUrl: string;
  internalToken: string;
  /** A port to listen on (a restart reuses its predecessor's); default: a free one. */
  port?: number;
  extra?: Record<string, string>;
  /** Receives what the process logs on stdout (by default it is dropped). */
  onOutput?: (text: string) => void;
}

/** BENCH_CPU_PROF=<dir>: a platform process started with these writes a V8 CPU profile there when it exits. */
export function cpuProfileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
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

export async function startControlPlaneProcess(env: ControlPlaneEnv): Promise<ControlPlaneProcess> {
  const port = env.port ?? (await freePort());
  const dir = await mkdtemp(path.join(tmpdir(), "stratus-cp-"));
  const child = spawn(process.execPath, [...cpuProfileArgs(), path.join(root, "packages/control-plane/dist/main.js")], {
    env: {
      PATH: process.env.PATH ?? "",
      STRATUS_DATABASE_URL: env.databaseUrl,
      STRATUS_REDIS_URL: env.redisUrl,
      STRATUS_INTERNAL_TOKEN: env.internalToken,
      STRATUS_PORT: String(port),
      // Each its own function URL port: several control planes run side by side.
      STRATUS_URL_PORT: "0",
      STRATUS_BOOTSTRAP_KEY_FILE: path.join(dir, "admin-key.json"),
      ...env.extra,
    },
    stdio: ["ignore", env.onOutput ? "pipe" : "ignore", "inherit"],
  });
  if (env.onOutput) child.stdout?.on("data", (chunk: Buffer) => env.onOutput?.(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child);
  } catch (err) {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    port,
    process: child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
