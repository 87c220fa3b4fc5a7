// A result the runtime streams (Lambda-Runtime-Function-Response-Mode: streaming,
// chunked): the invocation answers as soon as the request's headers arrive, and its
// bytes go on to the caller as they come, the runtime's request paused while the
// caller's side is full. Past Lambda's streamed limit the stream fails
// (Function.ResponseSizeTooLarge) and the runtime is refused 413 once it has sent all;
// an error raised mid-stream arrives in the trailers (stream-trailers.ts).
import { PassThrough } from "node:stream";
import { limits } from "@stratus/shared";
import type { Call } from "../endpoint.js";
import { runtimeApiErrors } from "../errors.js";
import type { Session } from "../session.js";
import { complete } from "./results.js";
import { streamFailure } from "./stream-trailers.js";

export const STREAM_TOO_LARGE = `Response payload size exceeded maximum allowed payload size (${limits.streamedResponseBytes} bytes).`;
const DEFAULT_CONTENT_TYPE = "application/octet-stream";
const EMPTY = Buffer.alloc(0);

/** Streams the call's body to the invocation; settles once the runtime's request has ended. */
export function streamResponse(call: Call<Session>, maxBytes = limits.streamedResponseBytes): Promise<void> {
  const { req, bound: session, requestId } = call;
  const body = new PassThrough();
  session.stream(requestId, req.headers["content-type"] || DEFAULT_CONTENT_TYPE, body);
  let bytes = 0;
  let overLimit = false;
  return new Promise((resolve, reject) => {
    req.on("data", (chunk: Buffer) => {
      if (overLimit || body.destroyed) return;
      bytes += chunk.length;
      if (bytes > maxBytes) {
        // The caller hears why at once; what the runtime still sends is read and dropped.
        overLimit = true;
        body.end();
        session.complete(requestId, { payload: tooLargePayload(), functionError: "Unhandled" });
        req.resume();
        return;
      }
      if (!body.write(chunk)) req.pause();
    });
    body.on("drain", () => req.resume());
    // The caller went away: what the runtime still sends is read and dropped.
    body.on("close", () => {
      if (!body.writableFinished) req.resume();
    });
    body.on("error", () => undefined);
    req.on("end", () => {
      if (overLimit) return reject(runtimeApiErrors.entityTooLarge(STREAM_TOO_LARGE));
      body.end();
      const failure = streamFailure(req.trailers);
      complete(call, failure ? { payload: failure, functionError: "Unhandled" } : { payload: EMPTY });
      resolve();
    });
    // Broken off (the runtime died, or its container was stopped): its death or the
    // function's timeout says how the invocation ended.
    req.on("close", () => {
      if (req.complete) return;
      body.destroy();
      resolve();
    });
  });
}

function tooLargePayload(): Buffer {
  return Buffer.from(JSON.stringify({ errorMessage: STREAM_TOO_LARGE, errorType: "Function.ResponseSizeTooLarge" }));
}
