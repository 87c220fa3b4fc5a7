import http from "node:http";
import type { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { boundSession, running, serverPerTest } from "../../testing/runtime-api.js";
import type { RuntimeApiServer } from "../runtime-api-server.js";
import type { SessionOutcome } from "../session.js";

const start = serverPerTest();

/** A runtime's streaming POST: headers at once, then chunks as the test writes them. */
function streaming(server: RuntimeApiServer, id: string, contentType?: string) {
  const [host, port] = server.address.split(":");
  const req = http.request({
    host,
    port,
    method: "POST",
    path: `/2018-06-01/runtime/invocation/${id}/response`,
    headers: {
      "lambda-runtime-function-response-mode": "streaming",
      "transfer-encoding": "chunked",
      trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
      ...(contentType ? { "content-type": contentType } : {}),
    },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
  req.flushHeaders();
  return { req, answer };
}

function nextChunk(body: Readable): Promise<string> {
  return new Promise((resolve) => body.once("data", (c: Buffer) => resolve(c.toString())));
}

async function streamOf(outcome: Promise<SessionOutcome>) {
  const { stream } = await outcome;
  if (!stream) throw new Error("no stream");
  return stream;
}

describe("POST /runtime/invocation/{id}/response, streaming", () => {
  it("answers the invocation as the stream begins, and forwards each chunk before the runtime ends", async () => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const { req, answer } = streaming(server, "r1", "text/plain");
    const stream = await streamOf(outcome);
    expect(stream.contentType).toBe("text/plain");
    expect(session.state).toBe("streaming");
    req.write("first");
    expect(await nextChunk(stream.body)).toBe("first");
    req.write("second");
    expect(await nextChunk(stream.body)).toBe("second");
    req.end();
    const end = await stream.ended;
    expect(end.functionError).toBeUndefined();
    expect((await answer).status).toBe(202);
    expect(session.state).toBe("awaiting-next");
  });

  it("ends with the function's error when the trailers report one", async () => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const { req, answer } = streaming(server, "r1");
    const stream = await streamOf(outcome);
    expect(stream.contentType).toBe("application/octet-stream");
    stream.body.resume();
    req.write("partial");
    const error = { errorType: "Error", errorMessage: "mid-stream" };
    req.addTrailers({
      "Lambda-Runtime-Function-Error-Type": "Error",
      "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(error)).toString("base64"),
    });
    req.end();
    const end = await stream.ended;
    expect(end.functionError).toBe("Unhandled");
    expect(JSON.parse(end.payload.toString())).toEqual(error);
    expect((await answer).status).toBe(202);
  });

  it("ends with the platform's failure when the session is closed mid-stream (timeout, death)", async () => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const { req, answer } = streaming(server, "r1");
    answer.catch(() => undefined);
    const stream = await streamOf(outcome);
    session.close({ errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 1.00 seconds" });
    const end = await stream.ended;
    expect(JSON.parse(end.payload.toString()).errorType).toBe("Sandbox.Timedout");
    req.destroy();
  });

  it("fails the stream past the limit and refuses the runtime 413 once it has sent all", async () => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const { req, answer } = streaming(server, "r1");
    const stream = await streamOf(outcome);
    stream.body.resume();
    // The limit is 20 MB: send a little over it.
    const mb = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 21; i++) req.write(mb);
    req.end();
    const end = await stream.ended;
    expect(JSON.parse(end.payload.toString()).errorType).toBe("Function.ResponseSizeTooLarge");
    const got = await answer;
    expect(got.status).toBe(413);
    expect(JSON.parse(got.body).errorType).toBe("RequestEntityTooLarge");
  });

  it("refuses a stream for an invocation not in progress: 400 InvalidRequestID", async () => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const { req, answer } = streaming(server, "other");
    req.end();
    expect((await answer).status).toBe(400);
    expect(session.state).toBe("busy");
    session.close({ errorType: "T", errorMessage: "done" });
    await outcome;
  });
});
