// The Runtime API's errors and their one renderer. Endpoints throw; renderError
// answers with Lambda's Runtime API shape, {errorMessage, errorType}, at the error's
// status. An error that is not a StratusError is ours: it is logged, and the runtime
// is told no more than that the Runtime API failed.
import type { ServerResponse } from "node:http";
import { type Logger, StratusError } from "@stratus/shared";
import { sendJson } from "./replies.js";

const refusal = (code: string, status: number) => (message: string) =>
  new StratusError(code, status, "client", message);

export const runtimeApiErrors = {
  /** A result for an invocation the session is not running. */
  invalidRequestId: refusal("InvalidRequestID", 400),
  /** A call the session's state does not allow (session.ts). */
  invalidStateTransition: refusal("InvalidStateTransition", 403),
  /** The caller's address is bound to nothing this endpoint serves. */
  forbidden: refusal("Forbidden", 403),
  notFound: refusal("NotFound", 404),
  /** A stem cell retired while it waited for its identity. */
  gone: refusal("Gone", 410),
  /** A function's response over Lambda's limit. */
  entityTooLarge: (message: string) => new StratusError("RequestEntityTooLarge", 413, "function", message),
};

/** Answers `err` to the runtime; `requestId`: the invocation the call named, if any ("" if none). */
export function renderError(res: ServerResponse, err: unknown, log: Logger, requestId: string): void {
  if (!(err instanceof StratusError)) log.error("Runtime API call failed", { requestId: requestId || undefined, err });
  else if (log.isLevelEnabled("debug")) {
    log.debug("Runtime API call refused", {
      requestId: requestId || undefined,
      code: err.code,
      status: err.status,
      reason: err.message,
    });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof StratusError) sendJson(res, err.status, { errorMessage: err.message, errorType: err.code });
  else sendJson(res, 500, { errorMessage: "Runtime API error", errorType: "ServiceException" });
}
