// The one place the Lambda API's errors become HTTP responses: restJson1 as Lambda
// sends it (rest-json-errors.ts), with the request's id in x-amzn-RequestId.
// Unexpected errors are logged and answered as ServiceException without internals;
// the platform's own 5xx errors are logged too, each line under the request's id.
// A refusal sent before the request's body was read closes the connection, so the
// rest of that body is never read (a client still sending may see the connection
// reset before the answer). Used by the Express app and the invoke fast path.

import type { ServerResponse } from "node:http";
import { errors, headers, type Logger, StratusError, sendRestJson1Error } from "@stratus/shared";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { accountOf, requestIdOf } from "./request-log.js";

/** `requestId`: the id the request goes by, sent in x-amzn-RequestId and named in the log lines. */
export function sendError(
  res: ServerResponse,
  err: unknown,
  log: Pick<Logger, "warn" | "error">,
  requestId: string,
): void {
  let known = err instanceof StratusError ? err : clientFault(err);
  // The account, once the request's signature named one (Express keeps it in locals, invoke beside the response).
  const locals = (res as { locals?: Record<string, unknown> }).locals;
  const account = typeof locals?.accountId === "string" ? locals.accountId : accountOf(res);
  const context = account ? { requestId, account } : { requestId };
  if (!known) {
    log.error("unexpected error", { ...context, err });
    known = errors.service("An internal error occurred");
  } else if (known.kind === "platform" && known.status >= 500) {
    // Ours and expected (a store or Redis not answering, no node): the operator sees it too.
    log.warn(`${known.code}: ${known.message}`, context);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const extra: Record<string, string> = { [headers.requestId]: requestId };
  if (!res.req.complete) extra.connection = "close";
  sendRestJson1Error(res, known, extra);
}

/**
 * A 4xx raised by Express itself (its router's "Failed to decode param"), as Lambda's
 * 400: the caller's bad input, neither a 500 nor a stack trace in the log.
 */
function clientFault(err: unknown): StratusError | undefined {
  const status = (err as { status?: unknown } | undefined)?.status;
  if (typeof status !== "number" || status < 400 || status > 499) return undefined;
  return errors.invalidRequestContent(String((err as Error).message).slice(0, 256));
}

/** A path that is not valid percent-encoding is refused before any route reads it. */
export const refuseMalformedPath: RequestHandler = (req, _res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    return next(errors.invalidParameter("The request path is not valid percent-encoding"));
  }
  next();
};

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => sendError(res, err, log, requestIdOf(res.locals));
}

export const unknownOperation: RequestHandler = (req, _res, next) =>
  next(errors.unknownOperation(`Unknown operation: ${req.method} ${req.path}`));
