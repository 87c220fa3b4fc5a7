// Errors on the wire as the awsJson1_0/1_1 protocols answer them (EventBridge and the
// other X-Amz-Target services): the exception's name both in x-amzn-ErrorType and as
// `__type` in the body, with `message`; the SDKs read either, botocore the body.
// Unexpected errors are logged and answered as InternalException without internals.
import type { ServerResponse } from "node:http";
import { headers, type Logger, StratusError } from "@stratus/shared";
import type { ErrorRequestHandler } from "express";
import { requestIdOf } from "./request-log.js";

/** `contentType`: the protocol's, application/x-amz-json-1.1 or -1.0. */
export function sendAwsJsonError(res: ServerResponse, err: StratusError, requestId: string, contentType: string): void {
  const body = JSON.stringify({ __type: err.code, message: err.message });
  res.writeHead(err.status, {
    [headers.requestId]: requestId,
    [headers.errorType]: err.code,
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    ...(res.req.complete ? {} : { connection: "close" }),
  });
  res.end(body);
}

/** Express error handler for an awsJson service's router. */
export function awsJsonErrors(log: Pick<Logger, "warn" | "error">, contentType: string): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const requestId = requestIdOf(res.locals);
    let known = err instanceof StratusError ? err : undefined;
    if (!known) {
      log.error("unexpected error", { requestId, err });
      known = new StratusError("InternalException", 500, "platform", "An internal error occurred");
    } else if (known.kind === "platform" && known.status >= 500) {
      log.warn(`${known.code}: ${known.message}`, { requestId });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendAwsJsonError(res, known, requestId, contentType);
  };
}
