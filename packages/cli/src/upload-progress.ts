// Counts a request's body bytes as the HTTP connection takes them: the signed body
// (a string or buffer) is swapped, after signing, for a stream that reports each
// chunk pulled. The SDK has no upload progress for Lambda, and a zip of tens of MB
// deserves one. Retries sign and swap again, so each attempt counts from zero.
import { Readable } from "node:stream";
import { HttpRequest } from "@smithy/protocol-http";
import type { FinalizeRequestMiddleware, MiddlewareStack } from "@smithy/types";

const CHUNK = 64 * 1024;

export type OnBytes = (sent: number, total: number) => void;

function counting(body: Buffer, onBytes: OnBytes): Readable {
  let offset = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (offset >= body.length) {
        this.push(null);
        return;
      }
      const chunk = body.subarray(offset, offset + CHUNK);
      offset += chunk.length;
      onBytes(offset, body.length);
      this.push(chunk);
    },
  });
}

/** The body as bytes when it is held in memory (a string or bytes), else undefined (a stream). */
function bodyBytes(body: unknown): Buffer | undefined {
  if (typeof body === "string") return Buffer.from(body);
  // JSON protocols now serialize to bytes (a Uint8Array subclass), not a string.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return undefined;
}

function middleware<I extends object, O extends object>(onBytes: OnBytes): FinalizeRequestMiddleware<I, O> {
  return (next) => async (args) => {
    const req = args.request;
    if (!HttpRequest.isInstance(req)) return next(args);
    const body = bodyBytes(req.body);
    if (!body) return next(args);
    onBytes(0, body.length);
    const streamed = HttpRequest.clone(req);
    streamed.body = counting(body, onBytes);
    return next({ ...args, request: streamed });
  };
}

/** Reports the upload of every request the command sends (its middleware stack). */
export function reportUpload<I extends object, O extends object>(stack: MiddlewareStack<I, O>, onBytes: OnBytes): void {
  stack.add(middleware<I, O>(onBytes), { step: "finalizeRequest", priority: "low", name: "stratusUploadProgress" });
}
