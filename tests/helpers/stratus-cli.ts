// The real `stratus` binary (packages/cli/dist/main.js, as built by `pnpm build`) run
// as a child process against a stack, in a directory of the test's that is its HOME
// (so no profile of the machine's is read). A failing command is answered, not
// thrown: its exit code and output are what a test checks.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CliResult, CliTarget } from "./aws-cli.js";

export const STRATUS_BIN = fileURLToPath(new URL("../../packages/cli/dist/main.js", import.meta.url));

/** The environment a user of the stack would have after `. .stratus/env`. */
export function stratusEnv(target: CliTarget, home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  if (!existsSync(STRATUS_BIN)) throw new Error(`${STRATUS_BIN} is missing: run pnpm build first`);
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: target.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.credentials.secretAccessKey,
    AWS_REGION: target.region,
    AWS_ENDPOINT_URL_LAMBDA: target.endpoint,
    AWS_ENDPOINT_URL_SCHEDULER: target.endpoint,
    ...extra,
  };
}

/** Runs `stratus ...args` in `cwd` with `env`. */
export function runStratus(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [STRATUS_BIN, ...args], { env, cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

/**
 * Runs `stratus ...args` in a pseudo-terminal (util-linux `script`), as a person at a
 * terminal would: stdout and stderr are one TTY, and what it shows is answered.
 */
export function runStratusInTerminal(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, STRATUS_BIN, ...args].map(quote).join(" ");
  return new Promise((resolve) => {
    execFile(
      "script",
      ["-q", "-e", "-c", command, "/dev/null"],
      { env: { ...env, TERM: "xterm" }, cwd },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

export interface Following {
  /** Everything printed on stdout so far. */
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts a long-running `stratus ...args` (logs --follow) and collects its stdout. */
export function startStratus(args: string[], env: NodeJS.ProcessEnv, cwd: string): Following {
  const child = spawn(process.execPath, [STRATUS_BIN, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    output: () => (err ? `${out}\n[stderr] ${err}` : out),
    async stop() {
      child.kill("SIGINT");
      return exited;
    },
  };
}
