// The throughput bench's floor (runtime-floor.ts starts it as its own process): the
// least any platform can do to run a Node handler over the Lambda Runtime API. It
// serves POST /invoke and a bare Runtime API (next, response, error) on one node:http
// server, and runs RUNTIMES copies of Stratus' own nodejs bootstrap
// (packages/runtime-images/nodejs/bootstrap.cjs) as plain host processes with the
// bench's echo handler: no Docker, no control plane, no auth, no pool, no logs.
// Prints {"url": ...} once every runtime has asked for its first event.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { limits, readBody } from "@stratus/shared";

const runtimes = Number(process.env.RUNTIMES ?? 1);
const bootstrap = fileURLToPath(new URL("../../packages/runtime-images/nodejs/bootstrap.cjs", import.meta.url));
const taskRoot = mkdtempSync(path.join(tmpdir(), "stratus-floor-"));
writeFileSync(path.join(taskRoot, "index.js"), process.env.HANDLER_SOURCE ?? "");

const queued = []; // events no runtime has asked for yet
const idle = []; // runtimes' /next requests waiting for an event
const running = new Map(); // request id -> the invoke's response
let sequence = 0;
let polled = 0;
let announced = false;

function deliver(res, event) {
  res.writeHead(200, {
    "lambda-runtime-aws-request-id": event.id,
    "lambda-runtime-deadline-ms": String(Date.now() + 3000),
    "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-1:000000000000:function:floor",
    "content-type": "application/json",
    "content-length": event.body.length,
  });
  res.end(event.body);
}

const server = http.createServer(async (req, res) => {
  const url = req.url ?? "";
  if (req.method === "GET" && url === "/2018-06-01/runtime/invocation/next") {
    req.resume();
    const event = queued.shift();
    if (event) deliver(res, event);
    else idle.push(res);
    if (++polled === runtimes && !announced) {
      announced = true;
      process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
    }
    return;
  }
  const body = await readBody(req, limits.syncPayloadBytes).catch(() => undefined);
  if (!body) return void res.destroy();
  if (req.method === "POST" && url === "/invoke") {
    const event = { id: `floor-${++sequence}`, body };
    running.set(event.id, res);
    const waiting = idle.shift();
    if (waiting) deliver(waiting, event);
    else queued.push(event);
    return;
  }
  const done = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
  const caller = done && running.get(done[1]);
  if (!caller) {
    res.writeHead(404, { "content-length": 0 });
    res.end();
    return;
  }
  running.delete(done[1]);
  res.writeHead(202, { "content-length": 0 });
  res.end();
  caller.writeHead(done[2] === "response" ? 200 : 502, {
    "content-type": "application/json",
    "content-length": body.length,
  });
  caller.end(body);
});
server.keepAliveTimeout = 65_000;

server.listen(0, "127.0.0.1", () => {
  const env = {
    PATH: process.env.PATH,
    AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${server.address().port}`,
    _HANDLER: "index.handler",
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: "floor",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
  };
  const children = Array.from({ length: runtimes }, () =>
    spawn(process.execPath, [bootstrap], { env, stdio: ["ignore", "ignore", "inherit"] }),
  );
  process.on("SIGTERM", () => {
    for (const child of children) child.kill("SIGKILL");
    server.close();
    process.exit(0);
  });
});
