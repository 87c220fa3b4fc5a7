// The control plane's HTTP edge under a hostile client, on a control plane run as its
// own process (so its memory can be read): unsigned bodies are refused before they
// are read, a stalled body is cut at the configured deadline, a malformed path is a
// 400 with nothing logged, a payload that is not UTF-8 is refused by the real AWS CLI
// and the SDK, malformed JSON and __proto__ keys change nothing they should not, a
// body's Content-Type is not checked, and another account's request id is unknown.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { type ControlPlaneProcess, startControlPlaneProcess } from "./helpers/control-plane-process.js";
import { ROLE, uniqueName } from "./helpers/functions.js";
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
  lambda = client();
  dir = await mkdtemp(path.join(tmpdir(), "stratus-edge-"));
  fn = uniqueName("edge");
  await lambda.send(new CreateFunctionCommand(await createInput(fn)));
}, 180_000);

afterAll(async () => {
  await cp?.stop();
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

/** CreateFunction of an echo function named `name` (its code is its own: no other function shares its zip), with `more`. */
async function createInput(
  name: string,
  more: Partial<CreateFunctionCommandInput> = {},
): Promise<CreateFunctionCommandInput & { Code: { ZipFile: Uint8Array } }> {
  const ZipFile = await nodeFunction(`exports.handler = async (e) => e; // ${name}`);
  return {
    FunctionName: name,
    Runtime: "nodejs20.x",
    Role: ROLE,
    Handler: "index.handler",
    ...more,
    Code: { ZipFile },
  };
}

/** `input` as the JSON text of a CreateFunction body. */
const createBody = (input: Awaited<ReturnType<typeof createInput>>) =>
  JSON.stringify({ ...input, Code: { ZipFile: Buffer.from(input.Code.ZipFile).toString("base64") } });

/** A map whose "__proto__" key is its own, as JSON.parse makes it (an object literal would set its prototype). */
const ownKeys = (json: string) => JSON.parse(json) as Record<string, string>;

/** A map's entries in key order: its "__proto__" key counted as any other. */
const entries = (map: Record<string, string> | undefined) =>
  Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));

/** The error `call` rejects with. */
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (err: unknown) => err,
  );

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

/**
 * Sends `method urlPath` signed for `body` under a Content-Length of `declared`, but
 * only the first `sent` bytes of it, and collects the answer until the server closes
 * the connection.
 */
async function stall(method: string, urlPath: string, body: string, declared: number, sent: number) {
  const url = new URL(urlPath, cp.url);
  const signer = new SignatureV4({
    credentials: platform.credentials,
    region: platform.region,
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign({
    method,
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, "content-length": String(declared) },
    body,
  });
  const head = Object.entries(signed.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  return rawExchange(`${method} ${url.pathname} HTTP/1.1\r\n${head}\r\n${body.slice(0, sent)}`);
}

/** A client of the control plane; one attempt per call, since a refusal is what these tests check, not a retry of it. */
const client = () =>
  new LambdaClient({
    endpoint: cp.url,
    region: platform.region,
    credentials: {
      accessKeyId: platform.credentials.accessKeyId,
      secretAccessKey: platform.credentials.secretAccessKey,
    },
    maxAttempts: 1,
  });

/** A client whose bodies go with Content-Type `type` (none when undefined): set after the SDK sets it, before it signs. */
function clientSending(type: string | undefined): LambdaClient {
  const sending = client();
  sending.middlewareStack.add(
    (next) => (args) => {
      const { headers } = args.request as { headers: Record<string, string> };
      if (type === undefined) delete headers["content-type"];
      else headers["content-type"] = type;
      return next(args);
    },
    { step: "build" },
  );
  return sending;
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
    const body = `{"pad":"${"x".repeat(1000)}"}`;
    const { answer, ms } = await stall("POST", `/2015-03-31/functions/${fn}/invocations`, body, body.length, 10);
    expect(answer).toMatch(/^HTTP\/1\.1 408 .*x-amzn-errortype: RequestTimeoutException/is);
    expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 3_000);
  });

  it("cuts a signed CreateFunction that stalls, and leaves no function, version or code of it", async () => {
    // All of a valid body, signed as it is, but declared longer: taken as it stands, it would create the function.
    const name = uniqueName("stalled");
    const input = await createInput(name);
    const body = createBody(input);
    const { answer } = await stall("POST", "/2015-03-31/functions", body, body.length + 100, body.length);
    expect(answer).toMatch(/^HTTP\/1\.1 408 .*x-amzn-errortype: RequestTimeoutException/is);
    expect(await refusal(lambda.send(new GetFunctionCommand({ FunctionName: name })))).toMatchObject({
      name: "ResourceNotFoundException",
    });
    const sha = createHash("sha256").update(input.Code.ZipFile).digest("hex");
    const { rows } = await platform.db.query(
      `SELECT (SELECT count(*) FROM functions WHERE name = $1)::int AS functions,
              (SELECT count(*) FROM function_versions WHERE function_name = $1)::int AS versions,
              (SELECT count(*) FROM code_blobs WHERE sha256_hex = $2)::int AS code`,
      [name, sha],
    );
    expect(rows[0]).toEqual({ functions: 0, versions: 0, code: 0 });
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

describe("JSON API bodies", () => {
  // Lambda names UnsupportedMediaTypeException for Invoke alone, whose payload the SDK
  // sends as application/octet-stream: a JSON operation's Content-Type is not checked.
  it.each(["application/json", "text/plain", "application/x-www-form-urlencoded", undefined])(
    "are read as JSON whatever their Content-Type (%s): created, updated and tagged as sent",
    async (type) => {
      const sending = clientSending(type);
      const name = uniqueName("ctype");
      const input = await createInput(name, { Environment: { Variables: { MODE: "1" } }, Tags: { team: "a" } });
      const { FunctionArn } = await sending.send(new CreateFunctionCommand(input));
      const update = {
        FunctionName: name,
        MemorySize: 256,
        Description: "updated",
        Environment: { Variables: { MODE: "2" } },
      };
      await sending.send(new UpdateFunctionConfigurationCommand(update));
      await sending.send(new TagResourceCommand({ Resource: FunctionArn, Tags: { stage: "b" } }));
      sending.destroy();
      const { Configuration, Tags } = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      expect({ ...Configuration, Tags }).toMatchObject({
        MemorySize: 256,
        Description: "updated",
        Environment: { Variables: { MODE: "2" } },
        Tags: { team: "a", stage: "b" },
      });
    },
  );

  it("that are malformed are refused with 400 InvalidRequestContentException, creating and changing nothing", async () => {
    const name = uniqueName("malformed");
    const created = await lambda.send(new CreateFunctionCommand(await createInput(name, { Tags: { team: "a" } })));
    const cut = uniqueName("cut");
    const malformed: [method: string, urlPath: string, body: string][] = [
      ["POST", "/2015-03-31/functions", createBody(await createInput(cut)).slice(0, -1)], // one byte short
      ["PUT", `/2015-03-31/functions/${name}/configuration`, "{"],
      ["POST", `/2017-03-31/tags/${encodeURIComponent(created.FunctionArn as string)}`, '{"Tags":{"stage":"b"},}'],
    ];
    for (const [method, urlPath, body] of malformed) {
      const res = await signedFetch(cp.url, platform.region, platform.credentials, urlPath, { method, body });
      expect([res.status, res.headers.get("x-amzn-errortype")], `${method} ${urlPath}`).toEqual([
        400,
        "InvalidRequestContentException",
      ]);
    }
    expect(await refusal(lambda.send(new GetFunctionCommand({ FunctionName: cut })))).toMatchObject({
      name: "ResourceNotFoundException",
    });
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(after.Configuration?.RevisionId).toBe(created.RevisionId);
    expect(after.Tags).toEqual({ team: "a" });
  });

  it("keep a __proto__ tag key as sent, refuse __proto__ as an environment variable name, and change nothing else", async () => {
    const name = uniqueName("proto");
    const input = await createInput(name, {
      Environment: { Variables: { KEEP: "1" } },
      Tags: ownKeys('{"__proto__":"p","team":"a"}'),
    });
    const created = await lambda.send(new CreateFunctionCommand(input));
    const tags = async () => entries((await lambda.send(new ListTagsCommand({ Resource: created.FunctionArn }))).Tags);
    expect(await tags()).toEqual([
      ["__proto__", "p"],
      ["team", "a"],
    ]);

    const badEnv = { Variables: ownKeys('{"__proto__":"x","KEEP":"2"}') };
    const other = uniqueName("proto-env");
    const refused = [
      () => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: badEnv })),
      async () => lambda.send(new CreateFunctionCommand(await createInput(other, { Environment: badEnv }))),
    ];
    for (const call of refused) {
      expect(await refusal(call())).toMatchObject({
        name: "InvalidParameterValueException",
        message: 'Environment variable name "__proto__" is invalid',
      });
    }
    expect(await refusal(lambda.send(new GetFunctionCommand({ FunctionName: other })))).toMatchObject({
      name: "ResourceNotFoundException",
    });

    await lambda.send(
      new TagResourceCommand({ Resource: created.FunctionArn, Tags: ownKeys('{"__proto__":"q","stage":"b"}') }),
    );
    expect(await tags()).toEqual([
      ["__proto__", "q"],
      ["stage", "b"],
      ["team", "a"],
    ]);
    await lambda.send(new UntagResourceCommand({ Resource: created.FunctionArn, TagKeys: ["__proto__"] }));
    expect(await tags()).toEqual([
      ["stage", "b"],
      ["team", "a"],
    ]);
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(after.Configuration).toMatchObject({
      RevisionId: created.RevisionId,
      Environment: { Variables: { KEEP: "1" } },
    });
  });

  it("set nothing from a __proto__ member, and pollute no prototype of the control plane", async () => {
    // Were a copy of the body to take the member as its prototype, its fields would fill those the body leaves out.
    const member = '"__proto__":{"Timeout":900,"MemorySize":2048,"Environment":{"Variables":{"POLLUTED":"1"}}},';
    const body = createBody(await createInput(uniqueName("proto-member"))).replace("{", `{${member}`);
    const res = await signedFetch(cp.url, platform.region, platform.credentials, "/2015-03-31/functions", {
      method: "POST",
      body,
    });
    expect(res.status).toBe(201);
    // Lambda's defaults, in it and in a function created after it (were Object.prototype polluted, in every object).
    // (No variables: no Environment, as Lambda answers.)
    const defaults = { Timeout: 3, MemorySize: 128, Environment: undefined };
    const settings = ({ Timeout, MemorySize, Environment }: typeof defaults) => ({ Timeout, MemorySize, Environment });
    expect(settings(await res.json())).toEqual(defaults);
    const after = await lambda.send(new CreateFunctionCommand(await createInput(uniqueName("after"))));
    expect(settings(after as typeof defaults)).toEqual(defaults);
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
