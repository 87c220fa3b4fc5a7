// Starts the throughput bench's floor (runtime-floor-server.mjs) as its own process:
// Stratus' nodejs bootstrap in `runtimes` host processes behind a bare Runtime API
// server, so a sync row can be set beside the least any Runtime-API platform costs.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ECHO } from "./spec.js";

const script = fileURLToPath(new URL("./runtime-floor-server.mjs", import.meta.url));

export interface RuntimeFloor {
  /** Origin of the server; POST /invoke runs the echo handler once. */
  url: string;
  /** The server's pid (its runtimes are counted as function runtimes by their command name). */
  pid: number;
  stop(): Promise<void>;
}

export async function startRuntimeFloor(runtimes: number): Promise<RuntimeFloor> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, RUNTIMES: String(runtimes), HANDLER_SOURCE: ECHO },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  };
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<string>((resolve, reject) => {
    lines.once("line", (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`runtime floor exited (${code}) before it was ready`)));
  });
  const timeout = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    const url = await ready;
    return { url, pid: child.pid ?? -1, stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timeout);
  }
}
