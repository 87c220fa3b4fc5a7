// Every runtime image through the whole platform (AWS SDK → control plane → invoker
// → real container): Node 20 and 22, Python 3.11 and the custom runtimes, each with
// tiny inline functions that do one thing. Error types and messages are Lambda's.
import { readFile } from "node:fs/promises";
import { InvalidParameterValueException, type Runtime } from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { deployFunction, type FunctionDef, invokeFunction } from "./helpers/functions.js";
import { useStack } from "./helpers/use-stack.js";
import { shellBootstrap } from "./helpers/zip.js";

const docker = new Docker();
const fixture = (file: string) => readFile(new URL(`./fixtures/runtimes/${file}`, import.meta.url), "utf8");
const executable = (content: string) => ({ content, mode: 0o755 });
const ISO = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;

const stack = useStack();

const deploy = (d: FunctionDef) => deployFunction(stack, d);
const invoke = (name: string, event: unknown = {}, clientContext?: unknown) =>
  invokeFunction(stack, name, event, { clientContext });

/** Deploys and invokes once; expects a function error and returns its body. */
async function functionError(
  d: FunctionDef,
): Promise<{ errorType: string; errorMessage: string; stackTrace?: string[] }> {
  const { out, body } = await invoke(await deploy(d));
  expect(out.FunctionError).toBe("Unhandled");
  return body as { errorType: string; errorMessage: string; stackTrace?: string[] };
}

/** Docker's multiplexed log stream as text (8-byte frame headers dropped). */
function demux(buf: Buffer): string {
  let text = "";
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    text += buf.subarray(i + 8, i + 8 + size).toString("utf8");
    i += 8 + size;
  }
  return text;
}

/** The function's container output, polled until `pattern` shows (or a deadline passes). */
async function logsOf(name: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    // Stem cells carry no function label: the pool knows which containers serve it.
    const containers = stack.invoker.pool.containerIdsOf(name).map((Id) => ({ Id }));
    let text = "";
    for (const c of containers) {
      text += demux(await docker.getContainer(c.Id).logs({ stdout: true, stderr: true, follow: false }));
    }
    if (pattern.test(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const CLIENT_CONTEXT = {
  client: { installation_id: "inst-1", app_title: "app" },
  custom: { k: "v" },
  env: { os: "x" },
};

describe.each<Runtime>(["nodejs20.x", "nodejs22.x", "nodejs24.x"])("%s", (runtime) => {
  const node = (source: string, extra: Partial<FunctionDef> = {}): FunctionDef => ({
    runtime,
    handler: "index.handler",
    files: { "index.js": source },
    ...extra,
  });

  it("echoes the event", async () => {
    const name = await deploy(node("exports.handler = async (event) => ({ echo: event });"));
    const { out, body } = await invoke(name, { hello: "world", n: [1, 2] });
    expect(out.FunctionError).toBeUndefined();
    expect(body).toEqual({ echo: { hello: "world", n: [1, 2] } });
  });

  it("passes the full context object", async () => {
    const name = await deploy(
      node(`exports.handler = async (event, context) => ({
        ...context,
        remaining: context.getRemainingTimeInMillis(),
        getRemainingTimeInMillis: typeof context.getRemainingTimeInMillis,
      });`),
    );
    const { out, body } = await invoke(name, {}, CLIENT_CONTEXT);
    expect(body).toMatchObject({
      awsRequestId: out.$metadata.requestId,
      functionName: name,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${stack.credentials.accountId}:function:${name}`,
      memoryLimitInMB: "128",
      logGroupName: `/aws/lambda/${name}`,
      callbackWaitsForEmptyEventLoop: true,
      clientContext: CLIENT_CONTEXT,
      getRemainingTimeInMillis: "function",
    });
    expect(body.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(body.remaining).toBeGreaterThan(0);
    expect(body.remaining).toBeLessThanOrEqual(3000);
    expect(body).not.toHaveProperty("identity"); // undefined: no Cognito identity
  });

  it("sees the function's environment variables", async () => {
    const name = await deploy(
      node("exports.handler = async () => ({ greeting: process.env.GREETING, region: process.env.AWS_REGION });", {
        env: { GREETING: "hola" },
      }),
    );
    expect((await invoke(name)).body).toEqual({ greeting: "hola", region: "us-east-1" });
  });

  it("reports a thrown error with its type and message", async () => {
    const body = await functionError(node("exports.handler = async () => { throw new RangeError('out of range'); };"));
    expect(body.errorType).toBe("RangeError");
    expect(body.errorMessage).toBe("out of range");
    expect(body.stackTrace?.[0]).toMatch(/^at exports\.handler \(\/var\/task\/index\.js:1:\d+\)$/);
  });

  it("reports a syntax error as Runtime.UserCodeSyntaxError", async () => {
    const body = await functionError(node("exports.handler = async () => {"));
    expect(body.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(body.errorMessage).toBe("SyntaxError: Unexpected end of input");
  });

  it("reports a missing handler function as Runtime.HandlerNotFound", async () => {
    const body = await functionError(node("exports.other = async () => 1;"));
    expect(body.errorType).toBe("Runtime.HandlerNotFound");
    expect(body.errorMessage).toBe("index.handler is undefined or not exported");
  });

  it("reports a missing dependency as Runtime.ImportModuleError", async () => {
    const body = await functionError(node("require('left-pad-not-here'); exports.handler = async () => 1;"));
    expect(body.errorType).toBe("Runtime.ImportModuleError");
    expect(body.errorMessage).toMatch(/^Error: Cannot find module 'left-pad-not-here'/);
  });

  it("runs an ES module (.mjs) handler", async () => {
    const name = await deploy(
      node("", {
        files: {
          "lib/app.mjs": "export const handler = async (event) => ({ esm: import.meta.url, event });",
        },
        handler: "lib/app.handler",
      }),
    );
    expect((await invoke(name, { x: 1 })).body).toEqual({ esm: "file:///var/task/lib/app.mjs", event: { x: 1 } });
  });

  it("runs a callback-style handler", async () => {
    const name = await deploy(
      node(
        "exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { via: 'callback', event }), 10); };",
      ),
    );
    expect((await invoke(name, { y: 2 })).body).toEqual({ via: "callback", event: { y: 2 } });
  });

  it("answers a callback only once the event loop is empty (callbackWaitsForEmptyEventLoop)", async () => {
    // Lambda serialises the callback's value after the event loop drains: the timer's change shows.
    const name = await deploy(
      node(`exports.handler = (event, context, callback) => {
        const result = { timerRan: false };
        setTimeout(() => { result.timerRan = true; }, 200);
        callback(null, result);
      };`),
    );
    expect((await invoke(name)).body).toEqual({ timerRan: true });
  });

  it("answers a callback at once when callbackWaitsForEmptyEventLoop is false", async () => {
    const name = await deploy(
      node(`exports.handler = (event, context, callback) => {
        context.callbackWaitsForEmptyEventLoop = false;
        const result = { timerRan: false };
        setTimeout(() => { result.timerRan = true; }, 200);
        callback(null, result);
      };`),
    );
    expect((await invoke(name)).body).toEqual({ timerRan: false });
  });

  it("prefixes console lines with timestamp, request id and level, one record per call", async () => {
    const name = await deploy(
      node(`exports.handler = async (event, context) => {
        console.log("hello %s", "node", { n: 1 });
        console.warn("line one\\nline two");
        return context.awsRequestId;
      };`),
    );
    const requestId = JSON.parse((await invoke(name)).text) as string;
    const logs = await logsOf(name, /line two/);
    expect(logs).toMatch(new RegExp(`^${ISO}\\t${requestId}\\tINFO\\thello node { n: 1 }$`, "m"));
    expect(logs).toMatch(new RegExp(`^${ISO}\\t${requestId}\\tWARN\\tline one\\rline two$`, "m"));
  });
});

describe("python3.11", () => {
  const py = (source: string, extra: Partial<FunctionDef> = {}): FunctionDef => ({
    runtime: "python3.11",
    handler: "handler.handler",
    files: { "handler.py": source },
    ...extra,
  });

  it("echoes the event", async () => {
    const name = await deploy(py("def handler(event, context):\n    return {'echo': event}\n"));
    const { out, body } = await invoke(name, { hello: "world", n: [1, 2] });
    expect(out.FunctionError).toBeUndefined();
    expect(body).toEqual({ echo: { hello: "world", n: [1, 2] } });
  });

  it("passes the full context object", async () => {
    const name = await deploy(
      py(
        `FIELDS = ["aws_request_id", "function_name", "function_version", "invoked_function_arn",
          "memory_limit_in_mb", "log_group_name", "log_stream_name"]
def handler(event, context):
    cc = context.client_context
    return {**{f: getattr(context, f) for f in FIELDS}, "remaining": context.get_remaining_time_in_millis(),
            "client": cc.client.installation_id, "custom": cc.custom, "env": cc.env,
            "identity": context.identity.cognito_identity_id}
`,
      ),
    );
    const { out, body } = await invoke(name, {}, CLIENT_CONTEXT);
    expect(body).toMatchObject({
      aws_request_id: out.$metadata.requestId,
      function_name: name,
      function_version: "$LATEST",
      invoked_function_arn: `arn:aws:lambda:us-east-1:${stack.credentials.accountId}:function:${name}`,
      memory_limit_in_mb: "128",
      log_group_name: `/aws/lambda/${name}`,
      client: "inst-1",
      custom: { k: "v" },
      env: { os: "x" },
      identity: null,
    });
    expect(body.log_stream_name).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(body.remaining).toBeGreaterThan(0);
    expect(body.remaining).toBeLessThanOrEqual(3000);
  });

  it("sees the function's environment variables", async () => {
    const name = await deploy(
      py("import os\ndef handler(event, context):\n    return {'greeting': os.environ['GREETING']}\n", {
        env: { GREETING: "hola" },
      }),
    );
    expect((await invoke(name)).body).toEqual({ greeting: "hola" });
  });

  it("reports a raised exception with its class name, message and stack", async () => {
    const body = await functionError(py("def handler(event, context):\n    raise ValueError('bad value')\n"));
    expect(body).toMatchObject({ errorType: "ValueError", errorMessage: "bad value" });
    expect(body.stackTrace).toEqual([
      "  File \"/var/task/handler.py\", line 2, in handler\n    raise ValueError('bad value')\n",
    ]);
  });

  it("reports a syntax error as Runtime.UserCodeSyntaxError", async () => {
    const body = await functionError(py("def handler(event, context:\n    return 1\n"));
    expect(body.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(body.errorMessage).toMatch(/^Syntax error in module 'handler': .*\(handler\.py, line 1\)$/);
  });

  it("reports a missing handler function as Runtime.HandlerNotFound", async () => {
    const body = await functionError(py("def other(event, context):\n    return 1\n"));
    expect(body).toMatchObject({
      errorType: "Runtime.HandlerNotFound",
      errorMessage: "Handler 'handler' missing on module 'handler'",
    });
  });

  it("reports a failed import as Runtime.ImportModuleError", async () => {
    const body = await functionError(py("import missing_mod\ndef handler(event, context):\n    return 1\n"));
    expect(body).toMatchObject({
      errorType: "Runtime.ImportModuleError",
      errorMessage: "Unable to import module 'handler': No module named 'missing_mod'",
    });
  });

  it("loads a module from a subdirectory (dir/mod.fn)", async () => {
    const name = await deploy(
      py("", {
        handler: "src/app/main.handle",
        files: { "src/app/main.py": "def handle(event, context):\n    return {'module': __name__}\n" },
      }),
    );
    expect((await invoke(name)).body).toEqual({ module: "src.app.main" });
  });

  it("writes print() output as is and root-logger records in Lambda's format", async () => {
    const name = await deploy(
      py(
        [
          "import logging",
          "logging.getLogger().setLevel(logging.INFO)",
          "def handler(event, context):",
          "    print('plain print line')",
          "    logging.info('from logging')",
          "    return context.aws_request_id",
          "",
        ].join("\n"),
      ),
    );
    const requestId = JSON.parse((await invoke(name)).text) as string;
    const logs = await logsOf(name, /from logging/);
    expect(logs).toMatch(/^plain print line$/m);
    expect(logs).toMatch(new RegExp(`^\\[INFO\\]\\t${ISO}\\t${requestId}\\tfrom logging$`, "m"));
  });
});

describe("custom runtimes (provided)", () => {
  it.each<Runtime>(["provided.al2023", "provided.al2", "provided"])(
    "runs the AWS tutorial's shell bootstrap unchanged on %s",
    async (runtime) => {
      const name = await deploy({
        runtime,
        handler: "function.handler",
        files: {
          bootstrap: executable(await fixture("aws-tutorial/bootstrap")),
          "function.sh": await fixture("aws-tutorial/function.sh"),
        },
      });
      const first = await invoke(name, { hello: "world" });
      expect(first.out.FunctionError).toBeUndefined();
      expect(first.text).toBe(`Echoing request: '{"hello":"world"}'`);
      // The bootstrap loops on /next: a second event reaches the same process.
      expect((await invoke(name, { n: 2 })).text).toBe(`Echoing request: '{"n":2}'`);
    },
  );

  it("gives the bootstrap the function's environment variables and handler", async () => {
    const name = await deploy({
      runtime: "provided.al2023",
      handler: "free/form:handler!",
      files: {
        bootstrap: shellBootstrap(
          `curl -sS -o /dev/null -d "{\\"greeting\\":\\"$GREETING\\",\\"handler\\":\\"$_HANDLER\\"}" "$api/$id/response"`,
        ),
      },
      env: { GREETING: "hola" },
    });
    expect((await invoke(name)).body).toEqual({ greeting: "hola", handler: "free/form:handler!" });
  });

  it("passes on the error a bootstrap reports", async () => {
    const body = await functionError({
      runtime: "provided.al2023",
      handler: "function.handler",
      files: {
        bootstrap: shellBootstrap(
          `curl -sS -o /dev/null -H 'Lambda-Runtime-Function-Error-Type: Unhandled' -d '{"errorType":"HandlerError","errorMessage":"no luck"}' "$api/$id/error"`,
        ),
      },
    });
    expect(body).toMatchObject({ errorType: "HandlerError", errorMessage: "no luck" });
  });
});

describe("CreateFunction checks the handler's code per runtime", () => {
  async function refused(d: FunctionDef): Promise<string> {
    const err = await deploy(d).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    return (err as Error).message;
  }

  it("refuses a Python handler whose module is not in the zip", async () => {
    const message = await refused({ runtime: "python3.11", handler: "app/main.handler", files: { "main.py": "" } });
    expect(message).toMatch(/no app\/main\.py \/ app\/main\/__init__\.py/);
  });

  it("refuses a custom runtime without a bootstrap at the zip root", async () => {
    const message = await refused({
      runtime: "provided.al2023",
      handler: "function.handler",
      files: { "sub/bootstrap": executable("#!/bin/sh\n") },
    });
    expect(message).toMatch(/no bootstrap in the code/);
  });

  it("refuses a custom runtime whose bootstrap is not executable", async () => {
    const message = await refused({
      runtime: "provided.al2023",
      handler: "function.handler",
      files: { bootstrap: "#!/bin/sh\n" },
    });
    expect(message).toMatch(/bootstrap file in the zip must be executable/);
  });

  it("refuses a Node handler without a function part", async () => {
    const message = await refused({ runtime: "nodejs22.x", handler: "index", files: { "index.js": "" } });
    expect(message).toMatch(/Handler index must look like/);
  });
});
