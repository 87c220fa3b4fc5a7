// Per-invocation logs in Lambda's format: the Tail returned by X-Amz-Log-Type, and
// the stored log read back by function (newest first) and by request id. The cap on
// a flooding invocation's log is a conformance test, run in every runtime. One
// message of several lines (a console.log, a logging call) is one record that reads
// with its newlines, as in Lambda's Tail log; a program's bare \r breaks nothing.
import { randomBytes } from "node:crypto";
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { dockerOutput } from "./helpers/docker-log.js";
import { deployFunction, invokeFunction, storedLog } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction, shellBootstrap } from "./helpers/zip.js";

const stack = useStack();

/** A log line's timestamp and request id, as patterns. */
const TS = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;
const UUID = "[0-9a-f-]{36}";

async function deploy(source: string, memorySize = 128): Promise<string> {
  const name = `logs-${randomBytes(4).toString("hex")}`;
  await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/r",
      Handler: "index.handler",
      Code: { ZipFile: await nodeFunction(source) },
      MemorySize: memorySize,
    }),
  );
  return name;
}

describe("invocation logs", () => {
  it("returns START, the function's output, END and REPORT as the tail", async () => {
    const name = await deploy(
      "exports.handler = async (e) => { console.log('hello from', e.who); console.error('to stderr'); return 1; };",
    );
    const first = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from('{"who":"test"}') }),
    );
    const log = Buffer.from(first.LogResult ?? "", "base64").toString("utf8");
    const id = first.$metadata.requestId as string;
    expect(log).toMatch(new RegExp(`^START RequestId: ${id} Version: \\$LATEST\\n`));
    expect(log).toContain("hello from test");
    expect(log).toContain("to stderr");
    expect(log).toContain(`END RequestId: ${id}`);
    expect(log).toMatch(
      /REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/,
    );

    const second = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from('{"who":"again"}') }),
    );
    const log2 = Buffer.from(second.LogResult ?? "", "base64").toString("utf8");
    expect(log2).toContain("hello from again");
    expect(log2).not.toContain("hello from test");
    expect(log2).not.toContain("Init Duration");

    const none = await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    expect(none.LogResult).toBeUndefined();
  }, 30_000);

  it("keeps each invocation's own lines when some print nothing, or only to stderr, or throw", async () => {
    // The runtime marks only the streams an invocation wrote to: quiet invocations,
    // one-stream ones, fd writers and failing ones must each get exactly their own lines.
    const name = await deploy(
      "const fs = require('fs'); exports.handler = async (e) => { if (e.say) console.log('said', e.say); if (e.warn) process.stderr.write('warned ' + e.warn + '\\n'); if (e.fd) fs.writeSync(1, 'straight to fd 1: ' + e.fd + '\\n'); if (e.fail) throw new Error('failed ' + e.fail); return 1; };",
    );
    const tail = async (event: object) => {
      const out = await stack.lambda.send(
        new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from(JSON.stringify(event)) }),
      );
      return Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
    };
    const body = (log: string) => log.split("\n").slice(1, -3); // between START and END
    expect(body(await tail({}))).toEqual([]);
    expect(body(await tail({ warn: "a" }))).toEqual(["warned a"]);
    expect(body(await tail({}))).toEqual([]);
    expect(body(await tail({ say: "b" }))).toEqual([expect.stringMatching(/\tINFO\tsaid b$/)]);
    const failed = body(await tail({ say: "c", fail: "d" }));
    expect(failed).toEqual([
      expect.stringMatching(/\tINFO\tsaid c$/),
      expect.stringMatching(/\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"failed d"/),
    ]);
    expect(body(await tail({}))).toEqual([]);
    // Loggers such as pino write to fd 1 themselves, not through process.stdout.
    expect(body(await tail({ fd: "e" }))).toEqual(["straight to fd 1: e"]);
    expect(body(await tail({}))).toEqual([]);
  }, 60_000);

  it("reports the container's peak memory as it grows between warm invocations", async () => {
    const name = await deploy(
      "const kept = []; exports.handler = async (e) => { if (e.mb) kept.push(Buffer.alloc(e.mb * 1048576, 1)); return kept.length; };",
      512,
    );
    const used = async (mb: number) => {
      const out = await stack.lambda.send(
        new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from(JSON.stringify({ mb })) }),
      );
      const log = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
      return Number(/Max Memory Used: (\d+) MB/.exec(log)?.[1]);
    };
    const before = await used(0);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(150);
    // The same warm container: its counter is read again, not remembered. (The first
    // peak holds start-up memory since freed: a few MB of slack, far below the 200 grown.)
    expect(await used(200)).toBeGreaterThanOrEqual(before + 180);
  }, 60_000);

  it("keeps the tail to the last 4 KB", async () => {
    const name = await deploy(
      "exports.handler = async () => { for (let i = 0; i < 200; i++) console.log('line ' + i + ' ' + 'x'.repeat(50)); return 1; };",
    );
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail" }));
    const bytes = Buffer.from(out.LogResult ?? "", "base64");
    expect(bytes.length).toBeLessThanOrEqual(4096);
    expect(bytes.toString()).toContain("REPORT RequestId");
  }, 30_000);

  it("stores logs, readable by function newest first and by request id", async () => {
    const name = await deploy("exports.handler = async (e) => { console.log('run', e.n); return e.n; };");
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const out = await stack.lambda.send(
        new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ n })) }),
      );
      ids.push(out.$metadata.requestId as string);
    }
    const listed = await waitFor(async () => {
      const res = await signedFetch(
        stack.endpoint,
        stack.region,
        stack.credentials,
        `/stratus/2026-11-01/functions/${name}/logs`,
      );
      const body = (await res.json()) as { Invocations: { RequestId: string; Log: string }[] };
      return body.Invocations.length === 3 ? body.Invocations : undefined;
    });
    expect(listed.map((i) => i.RequestId)).toEqual([...ids].reverse());
    expect(listed[0]?.Log).toContain("run 3");

    const one = await signedFetch(
      stack.endpoint,
      stack.region,
      stack.credentials,
      `/stratus/2026-11-01/invocations/${ids[0]}/log`,
    );
    expect(one.status).toBe(200);
    expect(((await one.json()) as { Log: string }).Log).toContain("run 1");

    const intruder = await stack.newAccount(`intruder-${randomBytes(3).toString("hex")}`);
    const hidden = await signedFetch(
      stack.endpoint,
      stack.region,
      intruder,
      `/stratus/2026-11-01/invocations/${ids[0]}/log`,
    );
    expect(hidden.status).toBe(404);
  }, 30_000);

  it("stores a log holding a NUL byte (Postgres text cannot), and the logs around it", async () => {
    // One record Postgres refuses must not hold back the node's other logs: they
    // are shipped and stored in shared batches.
    const name = await deploy(
      "exports.handler = async (e) => { process.stdout.write('nul:' + String.fromCharCode(0) + ':' + e.n + '\\n'); return e.n; };",
    );
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const out = await stack.lambda.send(
        new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ n })) }),
      );
      ids.push(out.$metadata.requestId as string);
    }
    const quiet = await deploy("exports.handler = async () => { console.log('plain line'); return 0; };");
    const plain = await stack.lambda.send(new InvokeCommand({ FunctionName: quiet }));
    expect(await storedLog(stack, plain.$metadata.requestId as string)).toContain("plain line");
    for (const [i, id] of ids.entries()) expect(await storedLog(stack, id)).toContain(`nul:\uFFFD:${i + 1}`);
  }, 60_000);
});

/** A Python function that writes what the event asks for, each way a Python function writes. */
const NOISY_PY = `import logging, os, sys
def handler(event, context):
    if event.get("say"): print("said", event["say"])
    if event.get("warn"): sys.stderr.write("warned " + event["warn"] + "\\n")
    if event.get("log"): logging.getLogger().warning("logged %s", event["log"])
    if event.get("fd"): os.write(2, ("straight to fd 2: " + event["fd"] + "\\n").encode())
    if event.get("fail"): raise ValueError("failed " + event["fail"])
    return 1
`;

const MARKER = "\u001eSTRATUS-END ";

describe("python3.11 invocation logs", () => {
  it("gives quiet and noisy invocations complete logs of their own lines, and marks only the streams written", async () => {
    const name = await deployFunction(stack, {
      runtime: "python3.11",
      handler: "index.handler",
      files: { "index.py": NOISY_PY },
    });
    const runs: { id: string; event: object }[] = [];
    const run = async (event: object) => {
      const out = await stack.lambda.send(
        new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from(JSON.stringify(event)) }),
      );
      const id = out.$metadata.requestId as string;
      runs.push({ id, event });
      const log = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
      // The stored log is the same text as the tail (it is short): START, own lines, END, REPORT.
      expect(await storedLog(stack, id)).toBe(log);
      const lines = log.split("\n");
      expect(lines[0]).toBe(`START RequestId: ${id} Version: $LATEST`);
      expect(lines.at(-3)).toBe(`END RequestId: ${id}`);
      expect(lines.at(-2)).toMatch(new RegExp(`^REPORT RequestId: ${id}\tDuration: `));
      expect(lines.at(-1)).toBe("");
      return lines.slice(1, -3);
    };

    expect(await run({})).toEqual([]);
    const noisy = await run({ say: "a", warn: "b", log: "c", fd: "d" });
    // Two streams: their lines arrive in the order Docker delivers them.
    expect(noisy).toHaveLength(4);
    expect(noisy).toEqual(
      expect.arrayContaining([
        "said a",
        "warned b",
        expect.stringMatching(new RegExp(`^\\[WARNING\\]\\t${TS}\\t${runs[1]?.id}\\tlogged c$`)),
        "straight to fd 2: d",
      ]),
    );
    expect(await run({})).toEqual([]);
    expect(await run({ warn: "e" })).toEqual(["warned e"]);
    expect(await run({ fd: "f" })).toEqual(["straight to fd 2: f"]);
    expect(await run({})).toEqual([]);
    // The runtime's own error record belongs to the invocation that failed, as one
    // record that reads with its newlines.
    const failed = await run({ say: "g", fail: "h" });
    expect(failed[0]).toBe("said g");
    expect(failed.slice(1).join("\n")).toMatch(
      /^\[ERROR\] ValueError: failed h\nTraceback \(most recent call last\):\n {2}File "\/var\/task\/index.py", line \d+, in handler\n.*raise ValueError/,
    );
    expect(await run({})).toEqual([]);

    // Each stream carries a marker of exactly the invocations that wrote to it.
    const [container] = stack.invoker.pool.containerIdsOf(name);
    const markersOn = async (stream: "stdout" | "stderr") =>
      (await dockerOutput(container as string, { stdout: stream === "stdout", stderr: stream === "stderr" }))
        .split("\n")
        .filter((line) => line.startsWith(MARKER))
        .map((line) => line.slice(MARKER.length).split(" ")[0]);
    const wrote = (keys: string[]) => runs.filter((r) => keys.some((k) => k in r.event)).map((r) => r.id);
    expect(await markersOn("stdout")).toEqual(wrote(["say", "log", "fail"]));
    expect(await markersOn("stderr")).toEqual(wrote(["warn", "fd"]));
  }, 60_000);
});

/**
 * What lies between START and END in a log, and the tail and the stored log of one
 * invocation (the same text: the log is short).
 */
async function bodyOf(name: string, event: object = {}): Promise<string> {
  const { out, tail } = await invokeFunction(stack, name, event, { tail: true });
  expect(out.FunctionError).toBeUndefined();
  const id = out.$metadata.requestId as string;
  expect(await storedLog(stack, id)).toBe(tail);
  const log = tail as string;
  expect(log).not.toContain("\r");
  return log.slice(log.indexOf("\n") + 1, log.indexOf(`END RequestId: ${id}`));
}

describe("multi-line log records", () => {
  // Lambda shows one console.log or logging call as one record, with its newlines, in
  // the Tail log as in CloudWatch; a program's bare \r (a progress bar) reads as a
  // line break and hides nothing that follows it.
  it("nodejs20.x: one console.log of three lines is one record; a progress bar breaks nothing", async () => {
    const name = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: {
        "index.js": [
          "exports.handler = async (e) => {",
          "  console.log('first\\nsecond\\nthird');",
          "  console.error(new Error('boom'));",
          "  process.stdout.write('\\r10%\\r50%\\r100%\\n');",
          "  if (e.unended) process.stdout.write('\\r20%\\r');",
          "  console.log('after');",
          "  if (e.unended) process.stdout.write('unended');",
          "  return 1;",
          "};",
        ].join("\n"),
      },
    });
    const body = await bodyOf(name);
    expect(body).toMatch(
      new RegExp(
        `^${TS}\\t${UUID}\\tINFO\\tfirst\\nsecond\\nthird\\n` +
          `${TS}\\t${UUID}\\tERROR\\tError: boom\\n {4}at .*/var/task/index\\.js:\\d+:\\d+\\)?\\n(?: {4}at .*\\n)*` +
          `10%\\n50%\\n100%\\n` +
          `${TS}\\t${UUID}\\tINFO\\tafter\\n$`,
      ),
    );
    // Output left without a line end is the invocation's own, and the next one's log stays clean.
    const unended = await bodyOf(name, { unended: true });
    expect(unended).toMatch(/\n100%\n20%\n.*\tINFO\tafter\nunended\n$/);
    expect(await bodyOf(name)).not.toMatch(/unended|20%/);
  }, 60_000);

  it("python3.11: one logging call of two lines is one record; print() lines stay lines", async () => {
    const name = await deployFunction(stack, {
      runtime: "python3.11",
      handler: "index.handler",
      files: {
        "index.py": [
          "import logging, sys",
          "def handler(event, context):",
          "    logging.getLogger().warning('one\\ntwo')",
          "    print('printed\\nlines')",
          "    sys.stdout.write('\\r10%\\r50%')",
          "    return 1",
          "",
        ].join("\n"),
      },
    });
    const body = await bodyOf(name);
    expect(body).toMatch(new RegExp(`^\\[WARNING\\]\\t${TS}\\t${UUID}\\tone\\ntwo\\nprinted\\nlines\\n10%\\n50%\\n$`));
    expect(await bodyOf(name)).toMatch(/^\[WARNING\]\t.*\tone\ntwo\nprinted\nlines\n10%\n50%\n$/);
  }, 60_000);

  it("provided.al2023: a bootstrap's progress bar, its line never ended, stays in its own invocation's log", async () => {
    const name = await deployFunction(stack, {
      runtime: "provided.al2023",
      handler: "function.handler",
      files: {
        bootstrap: shellBootstrap(
          [
            'echo "working on $id"',
            "printf '\\r10%%\\r50%%\\r100%%'",
            'curl -sS -o /dev/null -d "1" "$api/$id/response"',
          ].join("\n  "),
        ),
      },
    });
    for (let i = 0; i < 2; i++) {
      const body = await bodyOf(name);
      expect(body).toMatch(new RegExp(`^working on ${UUID}\\n10%\\n50%\\n100%\\n$`));
    }
  }, 60_000);
});
