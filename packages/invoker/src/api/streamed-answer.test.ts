import http from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { internalInvoke, limits, streamTrailers } from "@stratus/shared";
import { afterEach, describe, expect, it } from "vitest";
import type { PoolInvokeResult, PoolStream } from "../pool/container-pool.js";
import { collectStream, sendStream } from "./streamed-answer.js";

/** A stream the test writes, and ends with `done`'s outcome. */
function poolStream(): { stream: PoolStream; body: PassThrough; finish: (r: PoolInvokeResult) => void } {
  const body = new PassThrough();
  let finish!: (r: PoolInvokeResult) => void;
  const done = new Promise<PoolInvokeResult>((resolve) => {
    finish = resolve;
  });
  return { stream: { contentType: "text/plain", body, done }, body, finish };
}

let server: http.Server | undefined;
afterEach(() => server?.close());

/** Serves `stream` with sendStream; returns the answer as a client reads it, chunk by chunk. */
async function served(stream: PoolStream) {
  server = http.createServer((_req, res) => void sendStream(res, stream, {}));
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return new Promise<http.IncomingMessage>((resolve) => http.get({ port, host: "127.0.0.1" }, resolve));
}

describe("sendStream", () => {
  it("sends each chunk as it comes, then the end in trailers", async () => {
    const { stream, body, finish } = poolStream();
    const res = await served(stream);
    expect(res.headers[internalInvoke.responseModeHeader]).toBe("streaming");
    expect(res.headers[internalInvoke.streamContentTypeHeader]).toBe("text/plain");
    body.write("one");
    const first = await new Promise<string>((resolve) => res.once("data", (c: Buffer) => resolve(c.toString())));
    expect(first).toBe("one");
    body.end();
    const error = Buffer.from('{"errorType":"Error","errorMessage":"late"}');
    const usage = {
      outcome: "function_error" as const,
      durationMs: 12.5,
      initMs: 0,
      billedMs: 13,
      memoryMb: 128,
      cold: false,
    };
    finish({ payload: error, functionError: "Unhandled", logResult: "bG9n", usage });
    res.resume();
    await new Promise((resolve) => res.on("end", resolve));
    expect(res.trailers[streamTrailers.functionError]).toBe("Unhandled");
    expect(Buffer.from(res.trailers[streamTrailers.errorBody] ?? "", "base64").toString()).toBe(error.toString());
    expect(res.trailers[streamTrailers.logResult]).toBe("bG9n");
    expect(res.trailers[streamTrailers.usage]).toBe("o=function_error;d=12.5;i=0;b=13;m=128;c=0");
  });
});

describe("collectStream", () => {
  it("collects a stream that ended well into one payload", async () => {
    const { stream, body, finish } = poolStream();
    const collected = collectStream(stream);
    body.write("a");
    body.end("b");
    finish({ payload: Buffer.alloc(0) });
    expect((await collected).payload.toString()).toBe("ab");
  });

  it("answers the function's error when the stream failed", async () => {
    const { stream, body, finish } = poolStream();
    const collected = collectStream(stream);
    body.end("partial");
    finish({ payload: Buffer.from('{"errorType":"Error"}'), functionError: "Unhandled" });
    const got = await collected;
    expect(got.functionError).toBe("Unhandled");
    expect(got.payload.toString()).toBe('{"errorType":"Error"}');
  });

  it("fails a stream past the 6 MB buffered limit", async () => {
    const { stream, body, finish } = poolStream();
    const collected = collectStream(stream);
    body.end(Buffer.alloc(limits.syncResponseBytes + 1));
    finish({ payload: Buffer.alloc(0) });
    const got = await collected;
    expect(got.functionError).toBe("Unhandled");
    expect(JSON.parse(got.payload.toString()).errorType).toBe("Function.ResponseSizeTooLarge");
  });
});
