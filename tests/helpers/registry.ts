// An OCI registry of a test's own: Debian's docker-registry (CNCF distribution) run as
// a plain process on a loopback port (Docker reaches 127.0.0.0/8 over plain HTTP by
// default), with its storage in a temp directory and deletes enabled, stopped and
// removed in teardown. Optionally behind htpasswd Basic auth. Installed with apt
// when missing, as scripts/provision.sh does.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { waitFor } from "./poll.js";

const run = promisify(execFile);
const SERVER = "/usr/bin/docker-registry";

export interface TestRegistry {
  /** 127.0.0.1:<port>, the host part of image URIs. */
  host: string;
  /** Deletes the manifest `digest` of `repository` (the image is then gone from the registry). */
  deleteManifest(repository: string, digest: string): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

export async function startRegistry(): Promise<TestRegistry> {
  if (!existsSync(SERVER)) {
    await run("apt-get", ["install", "-y", "-qq", "docker-registry"], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  const dir = await mkdtemp(path.join(tmpdir(), "stratus-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = [
    "version: 0.1",
    "log: {level: error}",
    `storage: {filesystem: {rootdirectory: ${path.join(dir, "data")}}, delete: {enabled: true}}`,
    `http: {addr: "${host}"}`,
    "",
  ].join("\n");
  await writeFile(path.join(dir, "config.yml"), config);
  const child: ChildProcess = spawn(SERVER, ["serve", path.join(dir, "config.yml")], { stdio: "ignore" });
  await waitFor(
    async () => ((await fetch(`http://${host}/v2/`).catch(() => undefined))?.ok ? true : undefined),
    20_000,
    { what: "docker-registry to answer /v2/" },
  );
  return {
    host,
    async deleteManifest(repository, digest) {
      const res = await fetch(`http://${host}/v2/${repository}/manifests/${digest}`, { method: "DELETE" });
      if (res.status !== 202) throw new Error(`registry refused to delete ${digest}: ${res.status}`);
    },
    async close() {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
