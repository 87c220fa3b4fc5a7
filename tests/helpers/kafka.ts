// A Kafka-protocol cluster of a test's own: librdkafka's mock cluster, run by Debian's
// kcat (`-X test.mock.num.brokers=1`), which prints its bootstrap address on stderr.
// Topics are created on first use with 4 partitions. The cluster lives as long as the
// kcat process (stopped in teardown). Installed with apt when missing, as
// scripts/provision.sh does. Also a producer and a consumer for tests to drive it.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";

const run = promisify(execFile);

export interface KafkaMock {
  /** 127.0.0.1:<port> */
  bootstrap: string;
  /** Sends values (JSON) to chosen partitions, in order, and waits for the cluster's acks. */
  produce(topic: string, messages: Array<{ partition: number; value: unknown; key?: string }>): Promise<void>;
  /** Every record of `topic` now (all partitions), read by a throwaway consumer group. */
  readAll(
    topic: string,
    expected: number,
  ): Promise<Array<{ partition: number; value: string; headers: Record<string, string> }>>;
  /** The consumer group's committed offsets by partition (-1: none). */
  committed(groupId: string, topic: string): Promise<Record<number, number>>;
  close(): Promise<void>;
}

async function install(): Promise<void> {
  if (existsSync("/usr/bin/kcat")) return;
  await run("apt-get", ["install", "-y", "-qq", "kcat"], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

export async function startKafkaMock(): Promise<KafkaMock> {
  await install();
  const child: ChildProcess = spawn(
    "kcat",
    ["-X", "test.mock.num.brokers=1", "-X", "debug=mock", "-b", "dummy:9092", "-C", "-q", "-t", "__stratus_mock"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`kcat printed no mock cluster address: ${seen}`)), 15_000);
    child.stderr?.on("data", (d: Buffer) => {
      seen = (seen + d.toString()).slice(-4000);
      const m = /bootstrap\.servers=(\S+)/.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`kcat exited (${code}): ${seen}`)));
  });
  // Keep draining stderr so kcat never blocks on a full pipe.
  child.stderr?.resume();
  const kafka = new Kafka({ brokers: [bootstrap], clientId: "stratus-test", logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  return {
    bootstrap,
    async produce(topic, messages) {
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({
          partition: m.partition,
          value: JSON.stringify(m.value),
          ...(m.key ? { key: m.key } : {}),
          headers: { "test-header": "yes" },
        })),
      });
    },
    async readAll(topic, expected) {
      const got: Array<{ partition: number; value: string; headers: Record<string, string> }> = [];
      const consumer = kafka.consumer({ groupId: `read-${Math.random().toString(16).slice(2)}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            got.push({
              partition,
              value: message.value?.toString() ?? "",
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]),
              ),
            });
            if (got.length >= expected) resolve();
          },
        });
      });
      await Promise.race([done, new Promise((r) => setTimeout(r, 60_000))]);
      await consumer.disconnect();
      return got;
    },
    async committed(groupId, topic) {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Object.fromEntries((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    },
    async close() {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** A loopback port that forwards to `target` once opened: a broker address that is unreachable until then. */
export async function lateForwarder(
  target: string,
): Promise<{ address: string; open(): Promise<void>; close(): Promise<void> }> {
  const [host = "127.0.0.1", port = "0"] = target.split(":");
  const probe = createServer();
  const free = await new Promise<number>((resolve) =>
    probe.listen(0, "127.0.0.1", () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    }),
  );
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    address: `127.0.0.1:${free}`,
    async open() {
      const s = createServer((client) => {
        const upstream = tcpConnect(Number(port), host);
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.once("close", () => sockets.delete(sock));
        }
        client.pipe(upstream).pipe(client);
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
      });
      await new Promise<void>((resolve) => s.listen(free, "127.0.0.1", resolve));
      server = s;
    },
    async close() {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
