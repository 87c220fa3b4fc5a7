// The one place the Lambda API's errors become HTTP responses: restJson1 as Lambda
// sends it (rest-json-errors.ts), with the request's id in x-amzn-RequestId.
// Unexpected errors are logged and answered as ServiceException without internals;
// the platform's own 5xx errors are logged too, each line under the request's id.
// Used by the Express app and by the invoke fast path alike.

import type { ServerResponse } from "node:http";
import { errors, headers, type Logger, StratusError, sendRestJson1Error } from "@stratus/shared";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { requestIdOf } from "./request-log.js";

/** `requestId`: the id the request goes by, sent in x-amzn-RequestId and named in the log lines. */
export function sendError(
  res: ServerResponse,
  err: unknown,
  log: Pick<Logger, "warn" | "error">,
  requestId: string,
): void {
  let known = err instanceof StratusError ? err : undefined;
  if (!known) {
    log.error("unexpected error", { requestId, err });
    known = errors.service("An internal error occurred");
  } else if (known.kind === "platform" && known.status >= 500) {
    // Ours and expected (a store or Redis not answering, no node): the operator sees it too.
    log.warn(`${known.code}: ${known.message}`, { requestId });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendRestJson1Error(res, known, { [headers.requestId]: requestId });
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => sendError(res, err, log, requestIdOf(res.locals));
}

export const unknownOperation: RequestHandler = (req, _res, next) =>
  next(errors.unknownOperation(`Unknown operation: ${req.method} ${req.path}`));
