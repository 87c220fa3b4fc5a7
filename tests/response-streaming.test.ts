// Response streaming end to end, on real Docker: a streamified Node handler's first
// chunk reaches an InvokeWithResponseStream caller while the function is still
// blocked, waiting for something the test does only once it holds that chunk; a
// mid-stream throw ends the stream with InvokeComplete's error; a buffered handler
// answers in one chunk; botocore (the AWS CLI's engine) writes the payload; bad calls
// are refused. A function URL in RESPONSE_STREAM mode answers with the prelude's
// status, headers and cookies and delivers its first bytes before the function ends.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import {
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  type InvokeWithResponseStreamCommandOutput,
  PutFunctionConcurrencyCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import { splitHttpIntegration } from "@stratus/shared";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const run = promisify(execFile);
const docker = new Docker();
const stack = useStack();
let dir: string;
const names: Record<"streamed" | "http" | "buffered", string> = { streamed: "", http: "", buffered: "" };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-streaming-"));
  for (const fixture of Object.keys(names) as (keyof typeof names)[]) {
    const source = await readFile(new URL(`./fixtures/streaming/${fixture}.js`, import.meta.url), "utf8");
    names[fixture] = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": source },
      config: { Timeout: 30 },
    });
  }
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Event =
  NonNullable<InvokeWithResponseStreamCommandOutput["EventStream"]> extends AsyncIterable<infer E> ? E : never;

const stream = (name: string, event: unknown = {}, more: { InvocationType?: "RequestResponse" | "DryRun" } = {}) =>
  stack.lambda.send(
    new InvokeWithResponseStreamCommand({
      FunctionName: name,
      Payload: Buffer.from(JSON.stringify(event)),
      ...more,
    }),
  );

/** Every event of `out`'s stream, `onChunk` told of each PayloadChunk as it arrives. */
async function events(
  out: InvokeWithResponseStreamCommandOutput,
  onChunk: (text: string) => Promise<void> | void = () => undefined,
) {
  const seen: Event[] = [];
  for await (const e of out.EventStream ?? []) {
    seen.push(e);
    if (e.PayloadChunk?.Payload) await onChunk(Buffer.from(e.PayloadChunk.Payload).toString("utf8"));
  }
  return seen;
}

const payloadOf = (seen: Event[]) =>
  Buffer.concat(seen.flatMap((e) => (e.PayloadChunk?.Payload ? [Buffer.from(e.PayloadChunk.Payload)] : []))).toString();

/**
 * Lets function `name` go on past its wait, in its one container: found by its name
 * (docs/OPERATIONS.md), not by the hostname it wrote (a container started in a network
 * sandbox has the sandbox's). A stem cell is renamed for its function just after it
 * is specialised: looked for until it has been.
 */
async function release(name: string): Promise<void> {
  const id = await waitFor(
    async () => {
      const found = await docker.listContainers({ filters: { name: [`[.]${name}$`] } });
      if (found.length > 1) throw new Error(`${found.length} containers of ${name}`);
      return found[0]?.Id;
    },
    10_000,
    { what: `the container of ${name}` },
  );
  const exec = await docker
    .getContainer(id)
    .exec({ Cmd: ["touch", "/tmp/release"], AttachStdout: true, AttachStderr: true });
  const output = await exec.start({});
  let said = "";
  output.on("data", (c: Buffer) => {
    said += c.toString("latin1");
  });
  await new Promise((resolve) => output.on("end", resolve));
  const { ExitCode } = await exec.inspect();
  expect(ExitCode, said).toBe(0);
}

describe("InvokeWithResponseStream", () => {
  it("delivers the first chunk while the function is still blocked, then the rest and a clean InvokeComplete", async () => {
    const out = await stream(names.streamed);
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(out.ResponseStreamContentType).toBe("application/vnd.amazon.eventstream");
    const order: string[] = [];
    const seen = await events(out, async (text) => {
      order.push(text);
      // The function waits for this, which the test does only now that it holds chunk 1.
      if (order.length === 1) await release(names.streamed);
    });
    expect(order[0]).toMatch(/^[0-9a-f]{12}\n$/);
    expect(order.slice(1).join("")).toBe("after release\nend\n");
    const last = seen.at(-1);
    expect(last?.InvokeComplete).toBeDefined();
    expect(last?.InvokeComplete?.ErrorCode).toBeUndefined();
    expect(last?.InvokeComplete?.ErrorDetails).toBeUndefined();
    expect(seen.filter((e) => e.InvokeComplete)).toHaveLength(1);
  });

  it("ends a stream whose function throws mid-stream with ErrorCode and ErrorDetails", async () => {
    const seen = await events(await stream(names.streamed, { fail: true }));
    expect(payloadOf(seen)).toMatch(/^[0-9a-f]{12}\n$/);
    expect(seen.at(-1)?.InvokeComplete).toMatchObject({ ErrorCode: "Error", ErrorDetails: "failed mid-stream" });
  });

  it("carries the log tail in InvokeComplete when asked", async () => {
    const out = await stack.lambda.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: names.buffered,
        LogType: "Tail",
        Payload: Buffer.from("{}"),
      }),
    );
    const seen = await events(out);
    const log = Buffer.from(seen.at(-1)?.InvokeComplete?.LogResult ?? "", "base64").toString();
    expect(log).toMatch(/REPORT RequestId/);
  });

  it("delivers a buffered handler's answer as one PayloadChunk", async () => {
    const seen = await events(await stream(names.buffered, { x: 1 }));
    expect(seen.filter((e) => e.PayloadChunk)).toHaveLength(1);
    expect(JSON.parse(payloadOf(seen))).toEqual({ buffered: true, got: { x: 1 } });
    expect(seen.at(-1)?.InvokeComplete?.ErrorCode).toBeUndefined();
  });

  it("streams HttpResponseStream's prelude, eight NULs and the body, which the prelude splitter reads back", async () => {
    const seen = await events(await stream(names.http));
    const { prelude, body } = await splitHttpIntegration(Readable.from([Buffer.from(payloadOf(seen))]));
    expect(prelude).toEqual({ statusCode: 201, headers: { "x-made-by": "stream" }, cookies: ["a=1"] });
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("hello world");
  });

  it("answers DryRun 204 without running anything", async () => {
    const out = await stream(names.buffered, {}, { InvocationType: "DryRun" });
    expect(out.StatusCode).toBe(204);
  });

  it("refuses an unknown function 404 before any stream", async () => {
    await expect(stream("no-such-function-here")).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("throttles 429 before any stream, as Invoke does", async () => {
    const source = await readFile(new URL("./fixtures/streaming/buffered.js", import.meta.url), "utf8");
    const name = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": source },
    });
    await stack.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    const err = await stream(name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsException);
    expect(err).toMatchObject({ $metadata: { httpStatusCode: 429 } });
  });

  it("refuses the Event invocation type 400, as this operation takes none", async () => {
    const err = await stack.lambda
      .send(
        new InvokeWithResponseStreamCommand({
          FunctionName: names.buffered,
          InvocationType: "Event" as "DryRun",
          Payload: Buffer.from("{}"),
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "InvalidParameterValueException", $metadata: { httpStatusCode: 400 } });
  });

  it("lets Invoke of a streaming function answer the whole stream, buffered", async () => {
    const out = await stack.lambda.send(
      new InvokeCommand({ FunctionName: names.streamed, Payload: Buffer.from('{"fail":true}') }),
    );
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString())).toMatchObject({
      errorType: "Error",
      errorMessage: "failed mid-stream",
    });
  });
});

// The AWS CLI here (v1) has no invoke-with-response-stream: CLI v1 leaves out every
// operation whose output is an event stream, and Debian's CLI v2 (2.9) predates it.
// botocore, the engine both CLIs are built on, reads the stream in its stead.
const BOTOCORE_STREAM = `
import sys, boto3
client = boto3.client("lambda", endpoint_url=sys.argv[1])
out = client.invoke_with_response_stream(FunctionName=sys.argv[2], Payload=b"{}")
with open(sys.argv[3], "wb") as f:
    for event in out["EventStream"]:
        if "PayloadChunk" in event:
            f.write(event["PayloadChunk"]["Payload"])
        if "InvokeComplete" in event:
            print(event["InvokeComplete"].get("ErrorCode", ""))
`;

describe("a function URL in RESPONSE_STREAM mode", () => {
  /** A fresh function of `fixture` (a container of its own: no /tmp/release yet) with a public streaming URL. */
  async function streamingUrl(fixture: keyof typeof names): Promise<{ url: string; name: string }> {
    const name = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": await readFile(new URL(`./fixtures/streaming/${fixture}.js`, import.meta.url), "utf8") },
      config: { Timeout: 30 },
    });
    const made = await stack.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" }),
    );
    expect(made.InvokeMode).toBe("RESPONSE_STREAM");
    await stack.lambda.send(
      new AddPermissionCommand({
        FunctionName: name,
        StatementId: "public-url",
        Action: "lambda:InvokeFunctionUrl",
        Principal: "*",
        FunctionUrlAuthType: "NONE",
      }),
    );
    return { url: made.FunctionUrl as string, name };
  }

  /** GETs `url`; `onChunk` told of each body chunk as it arrives. */
  function get(url: string, onChunk: (text: string) => Promise<void> | void = () => undefined) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; chunks: string[] }>((resolve, reject) => {
      http
        .get(url, (res) => {
          const chunks: string[] = [];
          let told = Promise.resolve();
          res.on("data", (c: Buffer) => {
            const text = c.toString();
            chunks.push(text);
            told = told.then(() => onChunk(text));
          });
          res.on("end", () => told.then(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks })));
          res.on("error", reject);
        })
        .on("error", reject);
    });
  }

  it("answers with the prelude's status, headers and cookies, then the body", async () => {
    const { url } = await streamingUrl("http");
    const answer = await get(`${url}x`);
    expect(answer.status).toBe(201);
    expect(answer.headers["x-made-by"]).toBe("stream");
    expect(answer.headers["set-cookie"]).toEqual(["a=1"]);
    expect(answer.headers["content-type"]).toBe("application/octet-stream");
    expect(answer.headers["transfer-encoding"]).toBe("chunked");
    expect(answer.chunks.join("")).toBe("hello world");
  });

  it("delivers the first bytes while the function is still blocked", async () => {
    const { url, name } = await streamingUrl("streamed");
    const answer = await get(url, async (text) => {
      // The function waits for this, which the test does only once it holds the first bytes.
      if (/^[0-9a-f]{12}\n$/.test(text)) await release(name);
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/plain");
    expect(answer.chunks[0]).toMatch(/^[0-9a-f]{12}\n$/);
    expect(answer.chunks.slice(1).join("")).toBe("after release\nend\n");
  });

  it("maps a handler that answers whole by the BUFFERED rules", async () => {
    const { url } = await streamingUrl("buffered");
    const answer = await get(`${url}?q=1`);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(answer.chunks.join(""))).toMatchObject({ buffered: true, got: { rawQueryString: "q=1" } });
  });
});

describe("botocore invoke_with_response_stream", () => {
  it("reads the event stream and writes the payload", async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: stack.region,
    };
    const out = path.join(dir, "out.bin");
    const done = await run("python3", ["-c", BOTOCORE_STREAM, stack.endpoint, names.http, out], { env, cwd: dir });
    expect(done.stdout.trim()).toBe("");
    const written = await readFile(out);
    expect(written.subarray(written.indexOf(Buffer.alloc(8)) + 8).toString()).toBe("hello world");
  });
});
