// The Python runtime's HTTP/1.1 client (packages/runtime-images/python/
// stratus_runtime_http.py), as built into the python3.11 image, against servers that
// answer in each way HTTP/1.1 allows: by length, by chunks, to the close, after interim
// answers; a reused connection the server dropped; an answer cut short; a header that
// would split the request. The image's python runs a driver (tests/fixtures) on the
// host's loopback.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const DRIVER = path.resolve(import.meta.dirname, "fixtures/python-http-driver.py");
const IMAGE = "stratus/runtime:python3.11";

let server: http.Server;
let port: number;
/** Requests the server saw, as "METHOD path". */
const seen: string[] = [];
/** Connections the server accepted. */
let connections = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const echo = { "x-echo": String(req.headers["x-echo"] ?? ""), "X-Nonce": "n-1" };
      switch (req.url) {
        case "/length":
          res.writeHead(200, { ...echo, "content-length": body.length, "x-host": String(req.headers.host) });
          res.end(body);
          return;
        case "/chunked": {
          res.writeHead(200, echo);
          for (let i = 0; i < body.length; i += 100_003) res.write(body.subarray(i, i + 100_003));
          res.end();
          return;
        }
        case "/interim":
          res.writeEarlyHints({ link: "</a>; rel=preload" });
          res.socket?.write("HTTP/1.1 100 Continue\r\n\r\n");
          res.writeHead(202, { ...echo, "content-length": 2 });
          res.end("ok");
          return;
        case "/to-close":
          req.socket.end("HTTP/1.1 200 OK\r\nX-Nonce: n-2\r\n\r\nall of it, to the close");
          return;
        case "/short":
          req.socket.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
          return;
        case "/continue-then-drop":
          res.writeContinue();
          setTimeout(() => req.socket.destroy(), 20);
          return;
        case "/head-cut":
          req.socket.end("HTTP/1.1 20");
          return;
        case "/then-drop":
          res.writeHead(200, { "content-length": 0 });
          res.end();
          setTimeout(() => req.socket.destroy(), 50);
          return;
        case "/no-content":
          res.writeHead(204, echo);
          res.end();
          return;
        default:
          res.writeHead(404, { "content-length": 0 });
          res.end();
      }
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type Step = { path: string; method?: string; body?: string; bodyKb?: number; headers?: Record<string, string> };
type Out = {
  status?: number;
  length?: number;
  sha256?: string;
  text?: string;
  header?: string | null;
  popped?: string | null;
  after_pop?: string | null;
  error?: string;
};

async function drive(steps: (Step | { sleep: number })[]): Promise<Out[]> {
  const { stdout } = await run(
    "docker",
    [
      ...["run", "--rm", "--network", "host", "-v", `${DRIVER}:/driver.py:ro`, "--entrypoint", "python3", IMAGE],
      ...["/driver.py", String(port), JSON.stringify(steps)],
    ],
    { maxBuffer: 1 << 20 },
  );
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Out);
}

/** What the driver sends for bodyKb: bytes 0..255 repeated. */
const pattern = (kb: number) => Buffer.from(Uint8Array.from({ length: kb * 1024 }, (_, i) => i % 256));
const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

describe("the Python runtime's HTTP client", () => {
  it("reads bodies by length and by chunks (6 MB binary both ways), on one connection", async () => {
    connections = 0;
    const [byLength, chunked, small] = await drive([
      { path: "/length", method: "POST", bodyKb: 6 * 1024, headers: { "X-Echo": "é-latin1" } },
      { path: "/chunked", method: "POST", bodyKb: 6 * 1024 },
      { path: "/length", method: "POST", body: '{"a":1}' },
    ]);
    const big = sha(pattern(6 * 1024));
    expect(byLength).toMatchObject({ status: 200, length: 6 * 1024 * 1024, sha256: big, header: "é-latin1" });
    // Headers by any case; the nonce taken out is gone.
    expect(byLength).toMatchObject({ popped: "n-1", after_pop: null });
    expect(chunked).toMatchObject({ status: 200, length: 6 * 1024 * 1024, sha256: big });
    expect(small).toMatchObject({ status: 200, text: '{"a":1}' });
    expect(connections).toBe(1);
  });

  it("skips interim answers, reads no body of a 204, and a body to the close", async () => {
    connections = 0;
    const [interim, none, toClose, after] = await drive([
      { path: "/interim", method: "POST", body: "x" },
      { path: "/no-content" },
      { path: "/to-close" },
      { path: "/length", method: "POST", body: "again" },
    ]);
    expect(interim).toMatchObject({ status: 202, text: "ok" });
    expect(none).toMatchObject({ status: 204, length: 0 });
    expect(toClose).toMatchObject({ status: 200, text: "all of it, to the close", popped: "n-2" });
    // The closed connection is replaced by a new one.
    expect(after).toMatchObject({ status: 200, text: "again" });
    expect(connections).toBe(2);
  });

  it("says a reused connection the server dropped may be retried, and reconnects", async () => {
    const out = await drive([{ path: "/then-drop" }, { sleep: 0.3 }, { path: "/no-content" }, { path: "/no-content" }]);
    expect(out).toEqual([
      expect.objectContaining({ status: 200 }),
      { error: "Disconnected" },
      expect.objectContaining({ status: 204 }),
    ]);
  });

  it("says a retry is unsafe once any of the answer came on the reused connection", async () => {
    const out = await drive([
      { path: "/no-content" },
      { path: "/continue-then-drop", method: "POST", body: "x" },
      { path: "/no-content" },
      { path: "/head-cut" },
    ]);
    expect(out).toEqual([
      expect.objectContaining({ status: 204 }),
      { error: "ProtocolError" },
      expect.objectContaining({ status: 204 }),
      { error: "ProtocolError" },
    ]);
  });

  it("fails an answer cut short, and sends nothing for a header that would split the request", async () => {
    seen.length = 0;
    const out = await drive([
      { path: "/short" },
      { path: "/length", method: "POST", body: "x", headers: { "X-Echo": "a\r\nX-Injected: 1" } },
      { path: "/length", method: "POST", body: "x", headers: { "Bad Name": "v" } },
      { path: "/length\r\nX-Injected: 1" },
    ]);
    expect(out).toEqual([
      { error: "ProtocolError" },
      { error: "ValueError" },
      { error: "ValueError" },
      { error: "ValueError" },
    ]);
    expect(seen).toEqual(["GET /short"]);
  });
});
