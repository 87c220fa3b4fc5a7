// Reads a whole HTTP request body into a Buffer, refusing a declared or actual size
// over `maxBytes` (RequestTooLargeException) without buffering the excess. Shared
// by every server of ours: the Lambda API, the invoker's internal API and the
// Runtime API.
import type { IncomingMessage } from "node:http";
import { errors } from "./errors.js";

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => errors.tooLarge(`Request must be smaller than ${maxBytes} bytes`);
    const declared = req.headers["content-length"];
    const length = declared === undefined ? -1 : Number(declared);
    if (length > maxBytes) {
      req.resume();
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // Once only: 'end' still comes after a body settled at its declared length, and a
    // second Buffer.concat would copy a many-chunk body again for nothing.
    const done = () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    // Settled as soon as the declared length is in (the parser holds a longer body to
    // it), rather than a tick or two later at 'end': this is on every invoke's path.
    if (length === 0) return done();
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners("data");
        req.resume();
        reject(tooLarge());
      } else {
        chunks.push(chunk);
        if (size === length) done();
      }
    });
    req.on("end", done);
    req.on("error", (err) => reject(errors.invalidRequestContent(`Request aborted: ${err.message}`)));
  });
}

export function isTooLarge(err: unknown): boolean {
  return (err as { code?: string })?.code === "RequestTooLargeException";
}
