// Control-plane memory under stalled uploads: 200 clients at once each send the
// headers of a large upload and a slice of its body, then stall. Two rows, on a
// control plane of its own (a process, its RSS read from /proc): unsigned uploads,
// refused before their bodies are read; and uploads signed by a known key, whose
// bodies are read (under the process's budget for unchecked bodies) until the request
// deadline cuts them. RSS before, at its peak, and after; how each upload ended.
// Run alone: `cd tests && npx tsx bench/stalled-uploads.ts`.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { pathToFileURL } from "node:url";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { createPgAccountStore } from "@stratus/control-plane";
import pg from "pg";
import { type ControlPlaneProcess, startControlPlaneProcess } from "../helpers/control-plane-process.js";
import { startPostgres, startRedis } from "../helpers/services.js";

const UPLOADS = Number(process.env.BENCH_STALLED_UPLOADS ?? 200);
/** What each client declares (a code upload's size) and what it sends before it stalls. */
const DECLARED_BYTES = 60 * 1024 * 1024;
const SENT_BYTES = 256 * 1024;
/** The control plane's request deadline in this run (the product's default). */
const REQUEST_TIMEOUT_MS = 30_000;
const MIB = 1024 * 1024;

export interface StalledRow {
  label: string;
  beforeMib: number;
  peakMib: number;
  afterMib: number;
  /** How the uploads ended: by status line ("403", "408"...) or "reset" with none. */
  endings: Record<string, number>;
  /** When the last upload's connection was closed by the server, ms from the start. */
  lastClosedMs: number;
}

export interface StalledUploadsResult {
  uploads: number;
  declaredMib: number;
  sentKib: number;
  requestTimeoutMs: number;
  rows: StalledRow[];
}

function rssMib(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kb / 1024;
}

/** One stalled upload: headers, SENT_BYTES of body, then nothing; settles with how the server ended it. */
function stalledUpload(port: number, head: string, started: number): Promise<{ ending: string; ms: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(head + "a".repeat(SENT_BYTES)));
    let first = "";
    socket.on("data", (c: Buffer) => {
      if (first.length < 16) first += c.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.on("close", () =>
      resolve({ ending: /^HTTP\/1\.1 (\d{3})/.exec(first)?.[1] ?? "reset", ms: Date.now() - started }),
    );
  });
}

async function measureRow(cp: ControlPlaneProcess, label: string, head: string): Promise<StalledRow> {
  const pid = cp.process.pid as number;
  const beforeMib = rssMib(pid);
  let peakMib = beforeMib;
  const sampler = setInterval(() => {
    peakMib = Math.max(peakMib, rssMib(pid));
  }, 20);
  const started = Date.now();
  const ended = await Promise.all(Array.from({ length: UPLOADS }, () => stalledUpload(cp.port, head, started)));
  clearInterval(sampler);
  // What the process keeps once they are gone, after a moment to settle.
  await new Promise((r) => setTimeout(r, 2_000));
  const endings: Record<string, number> = {};
  for (const e of ended) endings[e.ending] = (endings[e.ending] ?? 0) + 1;
  const row = {
    label,
    beforeMib,
    peakMib,
    afterMib: rssMib(pid),
    endings,
    lastClosedMs: Math.max(...ended.map((e) => e.ms)),
  };
  console.log(`stalled uploads, ${label}: ${JSON.stringify(row)}`);
  return row;
}

/** Signed headers for a POST to `path` declaring DECLARED_BYTES (signed once, sent by every client). */
async function signedHead(port: number, path: string, creds: { accessKeyId: string; secretAccessKey: string }) {
  const signer = new SignatureV4({
    credentials: creds,
    region: "us-east-1",
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: "127.0.0.1",
    port,
    path,
    headers: {
      host: `127.0.0.1:${port}`,
      "content-length": String(DECLARED_BYTES),
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    },
  });
  const lines = Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}\r\n`);
  return `POST ${path} HTTP/1.1\r\n${lines.join("")}\r\n`;
}

export async function measureStalledUploads(): Promise<StalledUploadsResult> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  let cp: ControlPlaneProcess | undefined;
  try {
    cp = await startControlPlaneProcess({
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      internalToken: randomBytes(24).toString("hex"),
      extra: { STRATUS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), STRATUS_ASYNC_CONCURRENCY: "0" },
    });
    const accounts = createPgAccountStore(db);
    const account = await accounts.createAccount(`bench-${randomUUID().slice(0, 8)}`);
    const key = await accounts.createAccessKey(account.id);
    const path = "/2015-03-31/functions";
    const unsigned = `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${DECLARED_BYTES}\r\n\r\n`;
    const rows = [
      await measureRow(cp, "unsigned", unsigned),
      await measureRow(cp, "signed by a known key", await signedHead(cp.port, path, key)),
    ];
    return {
      uploads: UPLOADS,
      declaredMib: DECLARED_BYTES / MIB,
      sentKib: SENT_BYTES / 1024,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      rows,
    };
  } finally {
    await cp?.stop();
    await db.end();
    await Promise.all([postgres, redis].map((s) => s.container.stop({ remove: true })));
  }
}

/** The report's section (report.ts appends it). */
export function renderStalledUploads(r: StalledUploadsResult): string {
  const endings = (e: Record<string, number>) =>
    Object.entries(e)
      .map(([k, n]) => `${n}× ${k}`)
      .join(", ");
  return `## Control-plane memory under stalled uploads

${r.uploads} clients at once each send the headers of a ${r.declaredMib} MiB upload (CreateFunction) and
${r.sentKib} KiB of its body, then stall; the control plane runs as its own process, with its
request deadline at ${r.requestTimeoutMs / 1000} s, and its RSS is read from /proc (tests/bench/stalled-uploads.ts).
Unsigned uploads are refused before their bodies are read; uploads signed by a known key
are read, under the process's budget for unchecked bodies, until the deadline cuts them.

| uploads | RSS before (MiB) | peak (MiB) | after (MiB) | how they ended | last closed (s) |
| --- | ---: | ---: | ---: | --- | ---: |
${r.rows
  .map(
    (x) =>
      `| ${x.label} | ${x.beforeMib.toFixed(0)} | ${x.peakMib.toFixed(0)} | ${x.afterMib.toFixed(0)} | ${endings(x.endings)} | ${(x.lastClosedMs / 1000).toFixed(1)} |`,
  )
  .join("\n")}
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  measureStalledUploads().then(
    (r) => console.log(renderStalledUploads(r)),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
