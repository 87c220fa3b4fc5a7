// An S3-compatible store that function containers can reach, as they would reach a
// MinIO on another machine: s3rver (the S3 server tests/s3-events.test.ts runs in
// process) run in a network namespace of its own, linked to the host by a veth pair.
// Function containers may not reach the Stratus host's own ports, a Docker-published
// one included (function-firewall.ts), nor other Docker networks (Docker's network
// isolation), but other hosts are routed to as on Lambda
// (docs/OPERATIONS.md#function-isolation); the namespace is such a host. Nothing of
// the platform's hardening is changed. Needs root (ip netns), as the firewall does.
// Its notifications are handed to `onEvent`, as MinIO's webhook would post them.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { waitFor } from "./poll.js";

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL("../fixtures/s3rver-store/main.mjs", import.meta.url));
/** One store at a time (integration runs hold a lock): fixed names, a leftover is replaced. */
const NS = "stratus-s3-store";
const HOST_END = "st-s3-host";
const STORE_END = "st-s3-store";
/** TEST-NET-2 (RFC 5737): never routed on the internet, so it collides with no real host. */
const HOST_IP = "198.51.100.1";
const STORE_IP = "198.51.100.2";

export interface S3Store {
  /** http://198.51.100.2:9000, reachable from the host and from function containers. */
  endpoint: string;
  close(): Promise<void>;
}

const ip = (...args: string[]) => run("ip", args);
const inNs = (...args: string[]) => ip("netns", "exec", NS, "ip", ...args);

async function removeNamespace(): Promise<void> {
  await ip("netns", "del", NS).catch(() => undefined); // takes the veth pair with it
  await ip("link", "del", HOST_END).catch(() => undefined);
}

async function makeNamespace(): Promise<void> {
  await removeNamespace();
  await ip("netns", "add", NS);
  await ip("link", "add", HOST_END, "type", "veth", "peer", "name", STORE_END);
  await ip("link", "set", STORE_END, "netns", NS);
  await ip("addr", "add", `${HOST_IP}/30`, "dev", HOST_END);
  await ip("link", "set", HOST_END, "up");
  await inNs("addr", "add", `${STORE_IP}/30`, "dev", STORE_END);
  await inNs("link", "set", STORE_END, "up");
  await inNs("link", "set", "lo", "up");
  await inNs("route", "add", "default", "via", HOST_IP);
}

/** Starts s3rver with `buckets` in its namespace; `onEvent` gets each notification it emits. */
export async function startS3Store(buckets: string[], onEvent: (event: unknown) => void): Promise<S3Store> {
  await makeNamespace();
  const child: ChildProcess = spawn("ip", ["netns", "exec", NS, process.execPath, MAIN, ...buckets], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  let ready = false;
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    const lines = output.split("\n");
    output = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "READY") ready = true;
      else if (line.startsWith("EVENT ")) onEvent(JSON.parse(line.slice(6)));
    }
  });
  const close = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    }
    await removeNamespace();
  };
  try {
    await waitFor(
      async () =>
        ready
          ? true
          : child.exitCode === null
            ? undefined
            : Promise.reject(new Error(`s3rver exited ${child.exitCode}`)),
      30_000,
      {
        what: "s3rver in its namespace",
      },
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { endpoint: `http://${STORE_IP}:9000`, close };
}
