// A RabbitMQ server of a test's own: Debian's rabbitmq-server run as a plain process on
// loopback, with a unique AMQP port, Erlang distribution port, epmd port and data
// directory, stopped (with its epmd) in teardown. Installed with apt when missing, as
// scripts/provision.sh does. Restartable on the same port and data, for broker-loss tests.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import amqp from "amqplib";
import { waitFor } from "./poll.js";

const run = promisify(execFile);
const SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";

export interface RabbitMq {
  /** amqp://127.0.0.1:<port> */
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
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

async function install(): Promise<void> {
  if (existsSync(SERVER)) return;
  await run("apt-get", ["install", "-y", "-qq", "rabbitmq-server"], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

export async function startRabbitMq(): Promise<RabbitMq> {
  await install();
  const dir = await mkdtemp(path.join(tmpdir(), "stratus-rmq-"));
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  await writeFile(path.join(dir, "rabbitmq.conf"), `listeners.tcp.1 = 127.0.0.1:${port}\nloopback_users = none\n`);
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    RABBITMQ_CONFIG_FILE: path.join(dir, "rabbitmq"),
    RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: path.join(dir, "log"),
    RABBITMQ_NODENAME: `stratus${port}@localhost`,
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_ADDRESS: "127.0.0.1",
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
  };
  const url = `amqp://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  // Our own epmd, run in the foreground so that teardown ends exactly it (the one a
  // node starts itself is a daemon that outlives the node).
  const epmd = spawn("epmd", ["-port", String(epmdPort), "-address", "127.0.0.1"], { env, stdio: "ignore" });
  await waitFor(
    () =>
      new Promise<true | undefined>((resolve) => {
        const socket = connect(epmdPort, "127.0.0.1", () => {
          socket.end();
          resolve(true);
        });
        socket.on("error", () => resolve(undefined));
      }),
    10_000,
    { what: "epmd to listen" },
  );
  const start = async () => {
    child = spawn(SERVER, [], { env, detached: true, stdio: "ignore" });
    await waitFor(
      async () => {
        const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`).catch(() => undefined);
        await c?.close();
        return c ? true : undefined;
      },
      60_000,
      { what: "rabbitmq-server to accept connections", intervalMs: 250 },
    );
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c?.pid) return;
    const exited = new Promise((resolve) => c.once("exit", resolve));
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
  };
  await start();
  return {
    url,
    port,
    start,
    stop,
    async close() {
      await stop();
      const ended = new Promise((resolve) => epmd.once("exit", resolve));
      epmd.kill("SIGKILL");
      await ended;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
