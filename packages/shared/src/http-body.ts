// Reads a whole HTTP request body into a Buffer, refusing a declared or actual size
// over `maxBytes` (RequestTooLargeException) without buffering the excess. Shared
// by every server of ours: the Lambda API, the invoker's internal API and the
// Runtime API. A server that reads bodies before it can trust their senders passes a
// ByteBudget: the bytes all such bodies hold at once are bounded for the process.
import type { IncomingMessage } from "node:http";
import { errors, StratusError } from "./errors.js";

/** Bytes that bodies being read may hold together: `take` refuses what would pass the limit. */
export interface ByteBudget {
  take(bytes: number): boolean;
  give(bytes: number): void;
}

export function readBody(req: IncomingMessage, maxBytes: number, budget?: ByteBudget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => errors.tooLarge(`Request must be smaller than ${maxBytes} bytes`);
    const declared = req.headers["content-length"];
    const length = declared === undefined ? -1 : Number(declared);
    if (length > maxBytes) {
      req.resume();
      return reject(tooLarge());
    }
    let chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let settled = false;
    /** Settles once, giving back what the budget lent and dropping what was read if refused. */
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      budget?.give(held);
      held = 0;
      if (err) {
        chunks = [];
        req.removeAllListeners("data");
        return reject(err);
      }
      // Once only: 'end' still comes after a body settled at its declared length, and a
      // second Buffer.concat would copy a many-chunk body again for nothing.
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    // Settled as soon as the declared length is in (the parser holds a longer body to
    // it), rather than a tick or two later at 'end': this is on every invoke's path.
    if (length === 0) return settle();
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        req.resume();
        return settle(tooLarge());
      }
      if (budget) {
        if (!budget.take(chunk.length)) {
          req.resume();
          return settle(busy());
        }
        held += chunk.length;
      }
      chunks.push(chunk);
      if (size === length) settle();
    });
    req.on("end", () => settle());
    req.on("error", (err) => settled || settle(errors.invalidRequestContent(`Request aborted: ${err.message}`)));
    // A client gone (or cut by the server's deadline) before its body was in. Every
    // request closes: the error (and its stack) is built only when it is the answer.
    req.on("close", () => settled || settle(errors.invalidRequestContent("Request aborted before its body was read")));
  });
}

/** The process holds as many unchecked bodies as it will: the caller may retry shortly. */
function busy(): StratusError {
  return new StratusError(
    "TooManyRequestsException",
    429,
    "platform",
    "Too many request bodies are being received; retry shortly",
    { "Retry-After": "1" },
  );
}

export function isTooLarge(err: unknown): boolean {
  return (err as { code?: string })?.code === "RequestTooLargeException";
}
