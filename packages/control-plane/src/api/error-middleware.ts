// The one place errors become HTTP responses: restJson1 as Lambda sends it, the
// exception name in X-Amzn-ErrorType and {Type, message} in the body. Unexpected
// errors are logged and answered as ServiceException without internals.
import { randomUUID } from "node:crypto";
import { errorBody, errors, headers, StratusError } from "@stratus/shared";
import type { ErrorRequestHandler, RequestHandler } from "express";

export type Logger = Pick<Console, "info" | "warn" | "error">;

function toStratusError(err: unknown): StratusError | undefined {
  if (err instanceof StratusError) return err;
  const e = err as { type?: string; status?: number };
  if (e?.type === "entity.too.large") return errors.tooLarge("Request must be smaller than the payload limit");
  if (e?.type === "request.aborted") return errors.invalidRequestContent("Request aborted");
  return undefined;
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    let known = toStratusError(err);
    if (!known) {
      log.error("unexpected error", err);
      known = errors.service("An internal error occurred");
    }
    res.status(known.status);
    res.set(known.headers);
    res.set(headers.errorType, known.code);
    if (!res.get(headers.requestId)) res.set(headers.requestId, randomUUID());
    res.json(errorBody(known));
  };
}

export const unknownOperation: RequestHandler = (req, _res, next) =>
  next(errors.unknownOperation(`Unknown operation: ${req.method} ${req.path}`));
