// Reads the whole request body into a Buffer (SigV4 hashes the exact bytes; routes
// parse JSON from it). Lean on purpose: it sits on every invoke. Refuses a declared
// or actual size over `maxBytes` with RequestTooLargeException before buffering it.
import type { IncomingMessage } from "node:http";
import { errors } from "@stratus/shared";
import type { RequestHandler } from "express";

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => errors.tooLarge(`Request must be smaller than ${maxBytes} bytes`);
    if (Number(req.headers["content-length"] ?? 0) > maxBytes) {
      req.resume();
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners("data");
        req.resume();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", (err) => reject(errors.invalidRequestContent(`Request aborted: ${err.message}`)));
  });
}

export function rawBodyReader(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    readBody(req, maxBytes).then((body) => {
      req.body = body;
      next();
    }, next);
  };
}
