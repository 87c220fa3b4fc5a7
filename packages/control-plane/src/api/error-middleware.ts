// The one place errors become HTTP responses: restJson1 as Lambda sends it, the
// exception name in X-Amzn-ErrorType and {Type, message} in the body. Unexpected
// errors are logged and answered as ServiceException without internals; the
// platform's own 5xx errors are logged too. Used by the Express app and by the invoke
// fast path alike.

import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { errors, headers, type Logger, StratusError, sendRestJson1Error } from "@stratus/shared";
import type { ErrorRequestHandler, RequestHandler } from "express";

export function sendError(res: ServerResponse, err: unknown, log: Logger): void {
  let known = err instanceof StratusError ? err : undefined;
  if (!known) {
    log.error("unexpected error", { err });
    known = errors.service("An internal error occurred");
  } else if (known.kind === "platform" && known.status >= 500) {
    // Ours and expected (a store or Redis not answering, no node): the operator sees it too.
    log.warn(`${known.code}: ${known.message}`);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendRestJson1Error(res, known, { [headers.requestId]: String(res.getHeader(headers.requestId) ?? randomUUID()) });
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => sendError(res, err, log);
}

export const unknownOperation: RequestHandler = (req, _res, next) =>
  next(errors.unknownOperation(`Unknown operation: ${req.method} ${req.path}`));
