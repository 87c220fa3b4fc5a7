// Stratus Node.js runtime client. Loads the handler named by _HANDLER from
// LAMBDA_TASK_ROOT and loops on the Lambda Runtime API (/2018-06-01/runtime/...):
// GET invocation/next, run the handler, POST .../response or .../error. Failures to
// load the handler are reported to /runtime/init/error with Lambda's error types.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const taskRoot = process.env.LAMBDA_TASK_ROOT || "/var/task";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const [host, port] = api.split(":");

function request(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: `/2018-06-01/runtime/${urlPath}`, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function errorPayload(err, fallbackType) {
  const e = err instanceof Error ? err : new Error(String(err));
  const errorType = fallbackType ?? (e.name || "Error");
  return {
    errorType,
    errorMessage: e.message,
    stackTrace: (e.stack || "")
      .split("\n")
      .slice(1)
      .map((l) => l.trim()),
  };
}

function postError(urlPath, payload) {
  const body = JSON.stringify(payload);
  return request("POST", urlPath, body, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "lambda-runtime-function-error-type": payload.errorType,
  });
}

// Lambda's Node console format: timestamp, request id, level, message.
let currentRequestId;
function patchConsole() {
  const { format } = await_util;
  for (const [name, level, stream] of [
    ["log", "INFO", process.stdout],
    ["info", "INFO", process.stdout],
    ["debug", "DEBUG", process.stdout],
    ["warn", "WARN", process.stderr],
    ["error", "ERROR", process.stderr],
    ["trace", "TRACE", process.stderr],
  ]) {
    console[name] = (...args) => {
      const line = format(...args).replace(/\n/g, "\r");
      stream.write(`${new Date().toISOString()}\t${currentRequestId ?? "undefined"}\t${level}\t${line}\n`);
    };
  }
}
const await_util = await import("node:util");

class HandlerError extends Error {}

async function loadHandler() {
  const spec = process.env._HANDLER || "";
  const dot = spec.lastIndexOf(".");
  if (dot <= 0) throw Object.assign(new HandlerError(`Bad handler ${spec}`), { type: "Runtime.MalformedHandlerName" });
  const modulePath = spec.slice(0, dot);
  const names = spec.slice(dot + 1).split(".");
  const base = path.resolve(taskRoot, modulePath);
  const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) {
    throw Object.assign(new HandlerError(`Error: Cannot find module '${modulePath}'`), {
      type: "Runtime.ImportModuleError",
    });
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    const type = err instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : "Runtime.ImportModuleError";
    throw Object.assign(new HandlerError(`${err.name}: ${err.message}`), { type, stack: err.stack });
  }
  let fn = mod;
  for (const n of names) fn = fn?.[n] ?? fn?.default?.[n];
  if (typeof fn !== "function") {
    throw Object.assign(new HandlerError(`${modulePath}.${names.join(".")} is undefined or not exported`), {
      type: "Runtime.HandlerNotFound",
    });
  }
  return fn;
}

function makeContext(headers, deadlineMs) {
  const env = process.env;
  return {
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: headers["lambda-runtime-client-context"]
      ? JSON.parse(headers["lambda-runtime-client-context"])
      : undefined,
    identity: headers["lambda-runtime-cognito-identity"]
      ? JSON.parse(headers["lambda-runtime-cognito-identity"])
      : undefined,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  };
}

// Runs async handlers and callback-style handlers (three or more parameters) alike.
function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, value) => (err ? reject(err) : resolve(value));
    context.done = callback;
    context.succeed = (v) => resolve(v);
    context.fail = (e) => reject(e);
    try {
      const out = handler(event, context, callback);
      if (out && typeof out.then === "function") out.then(resolve, reject);
      else if (handler.length < 3) resolve(out);
    } catch (err) {
      reject(err);
    }
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    const payload = errorPayload(err, err.type ?? "Runtime.ImportModuleError");
    console.error(JSON.stringify(payload));
    await postError("init/error", payload);
    process.exit(1);
  }
  for (;;) {
    const next = await request("GET", "invocation/next");
    if (next.status !== 200) throw new Error(`runtime api /next answered ${next.status}`);
    const id = next.headers["lambda-runtime-aws-request-id"];
    const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
    if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
    currentRequestId = id;
    let event;
    try {
      event = next.body.length ? JSON.parse(next.body.toString("utf8")) : {};
    } catch {
      event = next.body.toString("utf8");
    }
    try {
      const result = await runHandler(handler, event, makeContext(next.headers, deadline));
      const body = JSON.stringify(result === undefined ? null : result);
      await request("POST", `invocation/${id}/response`, body, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
    } catch (err) {
      const payload = errorPayload(err);
      console.error(`Invoke Error \t${JSON.stringify(payload)}`);
      await postError(`invocation/${id}/error`, payload);
    }
  }
}

main().catch((err) => {
  process.stderr.write(`runtime client failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
