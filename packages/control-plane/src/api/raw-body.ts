// Reads the whole request body into a Buffer (SigV4 hashes the exact bytes; routes
// parse JSON from it). Lean on purpose: it sits on every invoke. Refuses a declared
// or actual size over `maxBytes` with RequestTooLargeException before buffering it.
import { errors } from "@stratus/shared";
import type { RequestHandler } from "express";

export function rawBodyReader(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBytes) return next(errors.tooLarge(`Request must be smaller than ${maxBytes} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes && !failed) {
        failed = true;
        req.removeAllListeners("data");
        req.resume();
        next(errors.tooLarge(`Request must be smaller than ${maxBytes} bytes`));
      } else if (!failed) chunks.push(chunk);
    });
    req.on("end", () => {
      if (failed) return;
      req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      next();
    });
    req.on("error", (err) => {
      if (!failed) next(errors.invalidRequestContent(`Request aborted: ${err.message}`));
      failed = true;
    });
  };
}
