// Stratus Node.js runtime client (nodejs20.x, nodejs22.x, nodejs24.x). Loads the handler named by
// _HANDLER from LAMBDA_TASK_ROOT the way Lambda's Node runtime does (CommonJS or ES
// module; async or callback style) and loops on the Lambda Runtime API
// (/2018-06-01/runtime/...): GET invocation/next, run the handler, POST .../response
// or .../error. A handler that cannot be loaded is reported to /runtime/init/error
// with Lambda's error types (Runtime.ImportModuleError, Runtime.UserCodeSyntaxError,
// Runtime.HandlerNotFound, Runtime.MalformedHandlerName) and the process exits.
//
// Started with --stem it is a Stratus stem cell: before anything of a function is
// loaded it long-polls the invoker's Stratus-only specialise endpoint, which answers
// once with {handler, env}; it takes that environment as its own and goes on as the
// runtime of that one function. It never asks again.
//
// A handler wrapped in awslambda.streamifyResponse streams its result (streaming.cjs).
//
// It is CommonJS, not an ES module: Node starts a CommonJS entry without setting up
// its ES-module loader, which shortens every cold start; an ES-module handler still
// loads, through import().

"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const { format } = require("node:util");
const { createRuntimeClient } = require("./runtime-client.cjs");
const streaming = require("./streaming.cjs");
const { useLayerModules } = require("./layers.cjs");

const api = process.env.AWS_LAMBDA_RUNTIME_API ?? "";
let taskRoot = process.env.LAMBDA_TASK_ROOT || "/var/task";
const SPECIALISE = "/2018-06-01/stratus/specialise";
const separator = api.lastIndexOf(":");
const host = api.slice(0, separator);
const port = Number(api.slice(separator + 1));
// One keep-alive connection: the runtime makes one call at a time. Idle, it does not
// keep the event loop (callbackWaitsForEmptyEventLoop) alive.
const runtimeApi = createRuntimeClient(host, port);
// A streamed result holds a connection of its own (node:http's, loaded by the first
// streamed result) until the handler is done, so that an uncaught exception meanwhile
// can still be reported on the other.
let streamApi;
function streamTarget() {
  streamApi ??= { host, port, agent: new (require("node:http").Agent)({ keepAlive: true, maxSockets: 1 }) };
  return streamApi;
}

function request(method, urlPath, body, headers = {}) {
  return send(method, `/2018-06-01/runtime/${urlPath}`, body, headers);
}

/** One HTTP call to the Runtime API (or, rehearsing, to `to`); resolves with the whole answer. */
function send(method, fullPath, body, headers = {}, to = runtimeApi) {
  return to.send(method, fullPath, body, headers);
}

function jsonHeaders(body) {
  return { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
}

function postJson(urlPath, body, headers = {}) {
  return request("POST", urlPath, body, { ...jsonHeaders(body), ...headers });
}

/** Lambda's error body: the thrown value's name, message and stack frames. */
function errorPayload(err) {
  if (err instanceof Error) {
    const stack = typeof err.stack === "string" ? err.stack.split("\n") : [];
    return {
      errorType: err.name || "Error",
      errorMessage: err.message,
      stackTrace: stack.filter((l) => /^\s+at /.test(l)).map((l) => l.trim()),
    };
  }
  return { errorType: typeof err, errorMessage: String(err), stackTrace: [] };
}

/** A result JSON cannot hold (a BigInt, a cycle), as Lambda's Node runtime reports it. */
function unstringifiable() {
  const error = new Error("Unable to stringify response body");
  error.name = "Runtime.JSONStringifyError";
  return error;
}

function postError(urlPath, payload, headers = {}) {
  return postJson(urlPath, JSON.stringify(payload), {
    "lambda-runtime-function-error-type": payload.errorType,
    ...headers,
  });
}

// Lambda's Node log line: ISO timestamp, request id, level, message, with inner
// newlines turned into \r so that one call stays one log record.
let currentRequestId;
// The secret the invoker issued with the current event, which its log markers carry;
// kept here, out of the handler's event, context, headers and environment.
let currentNonce;
let phase = "init"; // then "idle" (waiting on /next) and "invoke", in turn
// With LoggingConfig LogFormat JSON (AWS_LAMBDA_LOG_FORMAT), each line is Lambda's JSON
// record {timestamp, level, requestId, message}, and calls below AWS_LAMBDA_LOG_LEVEL
// print nothing.
const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
function patchConsole() {
  const levels = { log: "INFO", info: "INFO", debug: "DEBUG", warn: "WARN", error: "ERROR", trace: "TRACE" };
  const json = process.env.AWS_LAMBDA_LOG_FORMAT === "JSON";
  const lowest = Math.max(0, LOG_LEVELS.indexOf(process.env.AWS_LAMBDA_LOG_LEVEL || "INFO"));
  for (const [name, level] of [...Object.entries(levels), ["fatal", "FATAL"]]) {
    console[name] = json
      ? (...args) => {
          if (LOG_LEVELS.indexOf(level) < lowest) return;
          const record = {
            timestamp: new Date().toISOString(),
            level,
            requestId: currentRequestId,
            message: format(...args),
          };
          process.stdout.write(`${JSON.stringify(record)}\n`);
        }
      : (...args) => {
          const message = format(...args).replace(/\n/g, "\r");
          process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`);
        };
  }
}

/** An error the runtime reports with one of Lambda's Runtime.* types (and the cause's frames). */
class RuntimeError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = type;
    if (typeof cause?.stack === "string") this.stack = cause.stack;
  }
}

const NOT_FOUND = new Set(["MODULE_NOT_FOUND", "ERR_MODULE_NOT_FOUND"]);

async function importModule(file) {
  const url = pathToFileURL(file).href;
  if (file.endsWith(".mjs")) return import(url);
  try {
    return require(file);
  } catch (err) {
    // A .js file in an ES-module package (or with a top-level await) loads through import().
    if (err?.code === "ERR_REQUIRE_ESM" || err?.code === "ERR_REQUIRE_ASYNC_MODULE") return import(url);
    throw err;
  }
}

// _HANDLER is `dir/module.fn[.nested]`: the module is the last segment up to its first
// dot, found as .js, .mjs or .cjs; the rest is a property path into its exports.
async function loadHandler(spec) {
  const slash = spec.lastIndexOf("/");
  const dot = spec.indexOf(".", slash + 1);
  if (dot < 0 || dot === slash + 1 || dot === spec.length - 1) {
    throw new RuntimeError("Runtime.MalformedHandlerName", "Bad handler");
  }
  const modulePath = spec.slice(0, dot);
  const names = spec.slice(dot + 1).split(".");
  const base = path.resolve(taskRoot, modulePath);
  const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) throw new RuntimeError("Runtime.ImportModuleError", `Error: Cannot find module '${modulePath}'`);
  let mod;
  try {
    mod = await importModule(file);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new RuntimeError("Runtime.UserCodeSyntaxError", `${err.name}: ${err.message}`, err);
    }
    if (NOT_FOUND.has(err?.code)) {
      throw new RuntimeError("Runtime.ImportModuleError", `${err.name}: ${err.message}`, err);
    }
    throw err; // an error thrown by the module's own top-level code is reported as is
  }
  let fn = mod;
  for (const n of names) fn = fn?.[n];
  if (fn === undefined) throw new RuntimeError("Runtime.HandlerNotFound", `${spec} is undefined or not exported`);
  if (typeof fn !== "function") throw new RuntimeError("Runtime.HandlerNotFound", `${spec} is not a function`);
  return fn;
}

function parseHeaderJson(value) {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function makeContext(headers) {
  const env = process.env;
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  return {
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseHeaderJson(headers["lambda-runtime-client-context"]),
    identity: parseHeaderJson(headers["lambda-runtime-cognito-identity"]),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/**
 * Runs one invocation; settles with {ok, value} or {ok: false, error}. As in Lambda,
 * a returned promise settles it; otherwise the callback (or context.done/succeed/
 * fail) does, and the callback's outcome waits for the event loop to empty while
 * context.callbackWaitsForEmptyEventLoop is true (its value is serialised then, as
 * in Lambda). A sync handler that never calls back answers null once the event loop
 * is empty. The first outcome wins.
 */
function runHandler(handler, event, context) {
  return new Promise((resolve) => {
    let settled = false;
    let called = false;
    let pending; // the callback's outcome, waiting for an empty event loop
    // 'beforeExit' fires when nothing but our own pending promise is left to run.
    const onEmptyLoop = () => settle(pending ?? { ok: true, value: null });
    const waitForEmptyLoop = () => {
      if (!process.listeners("beforeExit").includes(onEmptyLoop)) process.on("beforeExit", onEmptyLoop);
    };
    const settle = (outcome) => {
      if (settled) return;
      settled = true;
      process.removeListener("beforeExit", onEmptyLoop);
      resolve(outcome);
    };
    const outcomeOf = (err, value) => (err == null ? { ok: true, value } : { ok: false, error: err });
    const callback = (err, value) => {
      if (settled || called) return;
      called = true;
      if (!context.callbackWaitsForEmptyEventLoop) return settle(outcomeOf(err, value));
      pending = outcomeOf(err, value);
      waitForEmptyLoop();
    };
    context.done = (err, value) => settle(outcomeOf(err, value));
    context.succeed = (value) => settle(outcomeOf(null, value));
    context.fail = (err) => settle(outcomeOf(err ?? new Error("handled")));
    let out;
    try {
      out = handler(event, context, callback);
    } catch (err) {
      return settle({ ok: false, error: err });
    }
    if (out && typeof out.then === "function") {
      // A promise that never settles must run into the timeout, as in Lambda, not
      // end the process because nothing else is left on the event loop.
      const hold = setInterval(() => undefined, 1 << 30);
      const release = () => clearInterval(hold);
      out.then(release, release);
      out.then(
        (value) => settle({ ok: true, value }),
        (error) => settle({ ok: false, error: error ?? new Error("Promise rejected without a reason") }),
      );
    } else waitForEmptyLoop();
  });
}

// An exception nobody caught ends the environment, as in Lambda: report it for the
// invocation in flight (or as an init error during init), then exit.
function onFatal(rejection) {
  return (reason) => {
    const payload =
      rejection && !(reason instanceof Error)
        ? { errorType: "Runtime.UnhandledPromiseRejection", errorMessage: String(reason), stackTrace: [] }
        : errorPayload(reason);
    console.error(`${rejection ? "Unhandled Promise Rejection" : "Uncaught Exception"} \t${JSON.stringify(payload)}`);
    const target = { init: "init/error", invoke: `invocation/${currentRequestId}/error` }[phase];
    const marked = phase === "invoke" ? endOfOutput(currentRequestId, currentNonce) : {};
    const report = target ? postError(target, payload, marked) : Promise.resolve();
    report.finally(() => process.exit(128));
  };
}

// Printed after each invocation's output, before its result is posted, so the
// invoker knows exactly which lines belong to the invocation; only on the streams
// written since the last marker (a quiet invocation costs the engine nothing). The
// result names the marked streams (Stratus-Log-Markers), so the invoker knows which
// markers to wait for. A marker carries the nonce that came with the event
// (Stratus-Log-Nonce), which the function never sees, so no line it prints passes for
// one; an invoker that sends none gets the marker without it. Writes are noticed
// through process.stdout/stderr and through fs writes to fds 1 and 2 (loggers such as
// pino write there directly); a child process's output is not, and lands in whichever
// invocation's log takes it first.
const written = { stdout: false, stderr: false };
const FD_STREAM = { 1: "stdout", 2: "stderr" };
function watchOutput() {
  for (const name of ["stdout", "stderr"]) {
    const stream = process[name];
    const write = stream.write.bind(stream);
    stream.write = (...args) => {
      written[name] = true;
      return write(...args);
    };
  }
  for (const method of ["write", "writeSync", "writev", "writevSync"]) {
    const original = fs[method];
    if (typeof original !== "function") continue;
    fs[method] = function (fd, ...rest) {
      const name = FD_STREAM[fd];
      if (name) written[name] = true;
      return original.call(this, fd, ...rest);
    };
  }
}

const LOG_NONCE_HEADER = "stratus-log-nonce";

function endOfOutput(requestId, nonce) {
  const marker = `\u001eSTRATUS-END ${requestId}${nonce ? ` ${nonce}` : ""}\n`;
  const marked = [];
  for (const name of ["stdout", "stderr"]) {
    if (!written[name]) continue;
    process[name].write(marker);
    written[name] = false;
    marked.push(name);
  }
  return { "stratus-log-markers": marked.join(",") || "none" };
}

/** Stem mode: waits for this container's one identity, then adopts its environment. */
async function specialise() {
  for (;;) {
    const res = await send("GET", SPECIALISE);
    if (res.status === 204) continue; // the long poll ran out: ask again
    if (res.status !== 200) throw new Error(`specialise answered ${res.status}`);
    const { handler, env } = JSON.parse(res.body.toString("utf8"));
    for (const [k, v] of Object.entries(env)) process.env[k] = v;
    process.env._HANDLER = handler;
    taskRoot = process.env.LAMBDA_TASK_ROOT || "/var/task";
    return;
  }
}

// A stem cell runs its own invocation path a few times before it parks, against a
// throwaway server of its own, and loads a throwaway module as a handler: a fresh
// process spends milliseconds compiling that code on first use, which the function's
// cold start would otherwise pay. Nothing of it is left behind (specialising patches
// the console again, for the function's log format).
async function rehearse() {
  const server = require("node:http").createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const body = Buffer.from("{}");
      res.writeHead(200, {
        "lambda-runtime-aws-request-id": "rehearsal",
        "lambda-runtime-deadline-ms": String(Date.now() + 1000),
        "content-type": "application/json",
        "content-length": body.length,
      });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const local = createRuntimeClient("127.0.0.1", server.address().port);
  try {
    for (let i = 0; i < 3; i++) {
      const next = await send("GET", "/", undefined, {}, local);
      const outcome = await runHandler(
        async (e) => e,
        JSON.parse(next.body.toString("utf8")),
        makeContext(next.headers),
      );
      const body = JSON.stringify(outcome.value);
      await send("POST", "/", body, jsonHeaders(body), local);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  // The module is loaded as a handler is, and what a specialised runtime calls first
  // (the console's patch, the layers' look) is called once too: each first call costs
  // the compile of its code, which the function's cold start would otherwise pay.
  const base = path.join("/tmp", `stratus-rehearsal-${process.pid}`);
  try {
    fs.writeFileSync(`${base}.js`, "exports.handler = async (e) => e;\n");
    await loadHandler(`${base}.handler`);
    delete require.cache[`${base}.js`];
  } finally {
    fs.rmSync(`${base}.js`, { force: true });
  }
  fs.existsSync("/opt/nodejs");
  patchConsole();
  format("%s %j", "rehearsal", {});
}

async function main() {
  watchOutput();
  if (process.argv.includes("--stem")) {
    // Only a head start: a stem cell that cannot rehearse still serves.
    await rehearse().catch(() => undefined);
    await specialise();
  }
  patchConsole();
  globalThis.awslambda = {
    streamifyResponse: streaming.streamifyResponse,
    HttpResponseStream: streaming.HttpResponseStream,
  };
  process.on("uncaughtException", onFatal(false));
  process.on("unhandledRejection", onFatal(true));
  let handler;
  try {
    useLayerModules();
    handler = await loadHandler(process.env._HANDLER ?? "");
  } catch (err) {
    const payload = errorPayload(err);
    console.error(JSON.stringify(payload));
    await postError("init/error", payload);
    process.exit(1);
  }
  for (;;) {
    phase = "idle";
    const next = await request("GET", "invocation/next");
    if (next.status !== 200) throw new Error(`runtime api /next answered ${next.status}`);
    const id = next.headers["lambda-runtime-aws-request-id"];
    currentNonce = next.headers[LOG_NONCE_HEADER];
    delete next.headers[LOG_NONCE_HEADER];
    const trace = next.headers["lambda-runtime-trace-id"];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;
    currentRequestId = id;
    phase = "invoke";
    if (streaming.isStreamified(handler)) {
      await invokeStreaming(handler, next, id);
      continue;
    }
    let outcome;
    try {
      outcome = await runHandler(handler, JSON.parse(next.body.toString("utf8") || "{}"), makeContext(next.headers));
    } catch (err) {
      outcome = { ok: false, error: err }; // an event that is not JSON
    }
    let body;
    if (outcome.ok) {
      try {
        body = JSON.stringify(outcome.value === undefined ? null : outcome.value);
      } catch {
        outcome = { ok: false, error: unstringifiable() };
      }
    }
    if (outcome.ok) await postJson(`invocation/${id}/response`, body, endOfOutput(id, currentNonce));
    else {
      const payload = errorPayload(outcome.error);
      // In the invocation's own log, as Lambda prints it.
      console.error(`Invoke Error \t${JSON.stringify(payload)}`);
      await postError(`invocation/${id}/error`, payload, endOfOutput(id, currentNonce));
    }
  }
}

/** One invocation of a streamified handler; an event that is not JSON fails it, as a throw would. */
async function invokeStreaming(handler, next, id) {
  let event;
  let run = handler;
  try {
    event = JSON.parse(next.body.toString("utf8") || "{}");
  } catch (err) {
    run = async () => {
      throw err;
    };
  }
  await streaming.invokeStreaming(run, event, makeContext(next.headers), {
    to: streamTarget(),
    requestId: id,
    errorPayload,
    endTrailers: () => endOfOutput(id, currentNonce),
    onError: (payload) => console.error(`Invoke Error \t${JSON.stringify(payload)}`),
  });
}

main().catch((err) => {
  process.stderr.write(`runtime client failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
