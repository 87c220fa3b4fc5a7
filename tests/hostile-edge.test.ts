// The control plane's HTTP edge under a hostile client, on a control plane run as its
// own process (so its memory can be read): unsigned bodies are refused before they
// are read, a stalled body is cut at the configured deadline, a malformed path is a
// 400 with nothing logged, a payload that is not UTF-8 is refused by the real AWS CLI
// and the SDK, and another account's request id is unknown.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./helpers/control-plane-process.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { type Platform, startPlatform } from "./helpers/stack.js";
import { nodeFunction } from "./helpers/zip.js";

const REQUEST_TIMEOUT_MS = 2_000;
const MB = 1024 * 1024;

let platform: Platform;
let cp: ControlPlaneProcess;
let lambda: LambdaClient;
let dir: string;
let logged = "";
let fn: string;

beforeAll(async () => {
  platform = await startPlatform();
  cp = await startControlPlaneProcess({
    databaseUrl: platform.databaseUrl,
    redisUrl: platform.redisUrl,
    internalToken: platform.internalToken,
    extra: {
      STRATUS_HEADERS_TIMEOUT_MS: "1000",
      STRATUS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      STRATUS_ASYNC_CONCURRENCY: "0",
    },
    onOutput: (text) => {
      logged += text;
    },
  });
  lambda = new LambdaClient({
    endpoint: cp.url,
    region: platform.region,
    credentials: {
      accessKeyId: platform.credentials.accessKeyId,
      secretAccessKey: platform.credentials.secretAccessKey,
    },
    maxAttempts: 1,
  });
  dir = await mkdtemp(path.join(tmpdir(), "stratus-edge-"));
  fn = `edge-${randomBytes(4).toString("hex")}`;
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: fn,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/r",
      Handler: "index.handler",
      Code: { ZipFile: await nodeFunction("exports.handler = async (e) => e;") },
    }),
  );
}, 180_000);

afterAll(async () => {
  await cp?.stop();
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0) * 1024;
}

/**
 * Streams `bytes` of body to `urlPath` without signing; settles once the connection is
 * done with the answer's status (none if the connection was reset under the upload
 * before it was read) and the bytes that left this side.
 */
function unsignedUpload(urlPath: string, bytes: number): Promise<{ status?: number; sent: number }> {
  return new Promise((resolve) => {
    let status: number | undefined;
    const req = http.request({
      host: "127.0.0.1",
      port: cp.port,
      method: "POST",
      path: urlPath,
      agent: false,
      headers: { "content-type": "application/json", "content-length": bytes },
    });
    req.on("response", (res) => {
      status = res.statusCode;
      res.resume();
    });
    req.on("error", () => undefined);
    req.on("close", () => resolve({ status, sent: req.socket?.bytesWritten ?? 0 }));
    const chunk = Buffer.alloc(MB, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

/** Writes `text` on a raw connection and collects the answer until the server closes it (or the first bytes, `firstOnly`). */
function rawExchange(text: string, firstOnly = false): Promise<{ answer: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(cp.port, "127.0.0.1", () => socket.write(text));
    let answer = "";
    socket.on("data", (c: Buffer) => {
      answer += c.toString();
      if (firstOnly) socket.destroy();
    });
    socket.on("close", () => resolve({ answer, ms: Date.now() - started }));
    socket.on("error", reject);
  });
}

/** One attempt only: a refusal is what these calls check, not a retry of it. */
const aws = (...args: string[]) =>
  runAwsCli({ endpoint: cp.url, region: platform.region, credentials: platform.credentials }, dir, args, {
    AWS_MAX_ATTEMPTS: "1",
  });

describe("bodies", () => {
  it("refuses concurrent unsigned 60 MB uploads before reading them, with bounded control-plane memory", async () => {
    const before = rssBytes(cp.process.pid as number);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(cp.process.pid as number));
    }, 20);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        unsignedUpload(i % 2 ? "/2015-03-31/functions" : `/2015-03-31/functions/${fn}/invocations`, 60 * MB),
      ),
    );
    clearInterval(sampler);
    peak = Math.max(peak, rssBytes(cp.process.pid as number));
    for (const a of answers) {
      // Refused unread: answered 403, or cut under the client, long before 60 MB went out.
      if (a.status !== undefined) expect(a.status).toBe(403);
      expect(a.sent).toBeLessThan(30 * MB);
    }
    expect(peak - before).toBeLessThan(50 * MB);
  }, 60_000);

  it("refuses a signed body declared over its operation's cap with 413, before reading it", async () => {
    const res = await signedFetch(
      cp.url,
      platform.region,
      platform.credentials,
      `/2015-03-31/functions/${fn}/configuration`,
      {
        method: "PUT",
        body: JSON.stringify({ Description: "d".repeat(2 * MB) }),
      },
    ).catch(() => undefined);
    if (res) {
      expect(res.status).toBe(413);
      expect(res.headers.get("x-amzn-errortype")).toBe("RequestTooLargeException");
    }
  });

  it("cuts a signed body that stalls, at the configured deadline", async () => {
    const url = new URL(`/2015-03-31/functions/${fn}/invocations`, cp.url);
    const body = `{"pad":"${"x".repeat(1000)}"}`;
    const signer = new SignatureV4({
      credentials: platform.credentials,
      region: platform.region,
      service: "lambda",
      sha256: Hash.bind(null, "sha256"),
    });
    const signed = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, "content-length": String(body.length) },
      body,
    });
    const head = Object.entries(signed.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
    const { answer, ms } = await rawExchange(`POST ${url.pathname} HTTP/1.1\r\n${head}\r\n${body.slice(0, 10)}`);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/x-amzn-errortype: RequestTimeoutException/i);
    expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 3_000);
  });

  it("answers an unsigned stalled body at once and closes the connection, without waiting for the body", async () => {
    const { answer, ms } = await rawExchange(
      "POST /2015-03-31/functions HTTP/1.1\r\nhost: x\r\ncontent-length: 1000000\r\n\r\n0123456789",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer).toMatch(/connection: close/i);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
  });
});

describe("inputs", () => {
  it("answers a malformed percent-encoding in the path with 400, logging no stack trace", async () => {
    const { answer } = await rawExchange(
      "GET /2015-03-31/code/%E0%A4%A?Expires=1&Signature=x HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/x-amzn-errortype: InvalidParameterValueException/i);
    expect(answer).toMatch(/"message":"The request path is not valid percent-encoding"/);
    const signed = await rawExchange(
      `GET /2015-03-31/functions/%E0%A4%A HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
    );
    expect(signed.answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(logged).not.toMatch(/unexpected error|URIError|"stack"|\bat .*\.js:\d+/);
  });

  it("refuses an invoke payload that is not UTF-8 (AWS CLI, sync and Event), running and queuing nothing", async () => {
    const bad = path.join(dir, "bad.json");
    await writeFile(bad, Buffer.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    for (const type of ["RequestResponse", "Event"]) {
      const out = await aws(
        "lambda",
        "invoke",
        "--function-name",
        fn,
        "--invocation-type",
        type,
        "--payload",
        `fileb://${bad}`,
        "out.json",
      );
      expect(out.code, out.stdout).not.toBe(0);
      expect(out.stderr).toMatch(/InvalidRequestContentException/);
    }
    const queued = await platform.db.query(
      "SELECT count(*)::int AS n FROM async_invocations WHERE function_name = $1",
      [fn],
    );
    expect(queued.rows[0].n).toBe(0);
  });

  it("refuses an invoke payload that is not UTF-8 (SDK)", async () => {
    const err = await lambda
      .send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from([0x22, 0xc0, 0xaf, 0x22]) }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "InvalidRequestContentException", $metadata: { httpStatusCode: 400 } });
  });
});

describe("request ids", () => {
  it("answers another account's request id as unknown (404), for re-drive and reading", async () => {
    const accepted = await lambda.send(
      new InvokeCommand({ FunctionName: fn, InvocationType: "Event", Payload: Buffer.from("{}") }),
    );
    const id = accepted.$metadata.requestId as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const other = await platform.newAccount(`edge-${randomBytes(4).toString("hex")}`);
    const asOther = (p: string, method: string) => signedFetch(cp.url, platform.region, other, p, { method });
    expect((await asOther(`/stratus/2026-11-01/invocations/${id}/redrive`, "POST")).status).toBe(404);
    expect((await asOther(`/stratus/2026-11-01/invocations/${id}`, "GET")).status).toBe(404);
    const asOwner = (p: string, method: string) =>
      signedFetch(cp.url, platform.region, platform.credentials, p, { method });
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await asOwner(`/stratus/2026-11-01/invocations/${unknown}/redrive`, "POST")).status).toBe(404);
    // Its owner is told it exists: queued, so not re-drivable.
    expect((await asOwner(`/stratus/2026-11-01/invocations/${id}/redrive`, "POST")).status).toBe(409);
  });
});
