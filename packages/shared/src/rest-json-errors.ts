// Errors on the wire as Lambda's restJson1 answers them: the exception's name in
// X-Amzn-ErrorType, {Type, message} as the JSON body, and the error's own headers
// (Retry-After, Reason). The Lambda API and the invoker's internal API
// (internal-invoke.ts) both answer with sendRestJson1Error; the control plane turns an
// invoker's error answer back into its StratusError with parseRestJson1Error, the one
// place that does.
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { StratusError } from "./errors.js";
import { headers as wire } from "./wire.js";

/** The error headers a StratusError carries across the wire (Node sends them in lower case). */
const CARRIED_HEADERS = ["Retry-After", "Reason"] as const;

/** The restJson1 body Lambda sends with an error. */
export function errorBody(err: StratusError): { Type: "User" | "Service"; message: string; Reason?: string } {
  const body = { Type: err.kind === "client" ? ("User" as const) : ("Service" as const), message: err.message };
  // TooManyRequestsException names its cause in the body, as Lambda's does.
  return err.headers.Reason ? { ...body, Reason: err.headers.Reason } : body;
}

/** Answers `err`, with `extra` headers (a request id, connection: close...). */
export function sendRestJson1Error(res: ServerResponse, err: StratusError, extra: Record<string, string>): void {
  const body = JSON.stringify(errorBody(err));
  res.writeHead(err.status, {
    ...err.headers,
    ...extra,
    [wire.errorType]: err.code,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** An HTTP answer, its body read whole. */
export interface ErrorAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The StratusError an error answer carries: its type (ServiceException if none is
 * named), status, message (`fallbackMessage` if the body has none) and carried
 * headers. A status under 500 is the caller's fault (client), any other the platform's.
 */
export function parseRestJson1Error(answer: ErrorAnswer, fallbackMessage: string): StratusError {
  const code = String(answer.headers[wire.errorType] ?? "ServiceException");
  let message = fallbackMessage;
  try {
    message = (JSON.parse(answer.body.toString("utf8")) as { message?: string }).message ?? message;
  } catch {
    // not JSON (or null): keep the fallback
  }
  const carried: Record<string, string> = {};
  for (const name of CARRIED_HEADERS) {
    const value = answer.headers[name.toLowerCase()];
    if (typeof value === "string") carried[name] = value;
  }
  const kind = answer.statusCode < 500 ? "client" : "platform";
  return new StratusError(code, answer.statusCode, kind, message, carried);
}
