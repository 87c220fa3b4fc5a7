// What the endpoints that take a result from the runtime share: its error body put in
// Lambda's shape, and the session's completion with the log streams it marked.
import type { IncomingMessage } from "node:http";
import { readBody, runtimeApi } from "@stratus/shared";
import { LOG_MARKERS_HEADER, markedStreams } from "../../logs/log-markers.js";
import type { Call } from "../endpoint.js";
import { accepted } from "../replies.js";
import type { Session, SessionOutcome } from "../session.js";

/** Largest error body a runtime may post. */
const MAX_ERROR_BODY = 1024 * 1024;

/**
 * The error the runtime posted, as Lambda's {errorMessage, errorType, stackTrace}:
 * its JSON object, errorType taken from the Lambda-Runtime-Function-Error-Type header
 * when the body names none; a body that is not a JSON object is the message.
 */
export async function readFunctionError(req: IncomingMessage): Promise<Buffer> {
  const body = await readBody(req, MAX_ERROR_BODY);
  const header = req.headers[runtimeApi.errorTypeHeader];
  return functionErrorJson(body.toString("utf8"), typeof header === "string" ? header : undefined);
}

/**
 * Lambda's error JSON from what a runtime sent: `text`, a JSON object, with
 * `errorType` filled in from `headerType` when it names none; text that is not a JSON
 * object is the message.
 */
export function functionErrorJson(text: string, headerType: string | undefined): Buffer {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (parsed && typeof parsed === "object") {
      if (!parsed.errorType && headerType) parsed.errorType = headerType;
      return Buffer.from(JSON.stringify(parsed));
    }
  } catch {
    // not JSON: wrap it
  }
  return Buffer.from(JSON.stringify({ errorMessage: text.slice(0, 4096), errorType: headerType ?? "Runtime.Unknown" }));
}

/**
 * Completes the call's invocation with `outcome` and the log streams the runtime
 * marked its end in (container-log.ts), then accepts the result once it has gone on
 * its way: the write into the container's network costs a few hundred microseconds of
 * the caller's time.
 */
export function complete({ req, res, bound: session, requestId }: Call<Session>, outcome: SessionOutcome): void {
  // A streamed result names them in its trailers: its headers went out before the end.
  const marked = markedStreams(req.headers[LOG_MARKERS_HEADER] ?? req.trailers[LOG_MARKERS_HEADER]);
  if (marked) outcome.markedStreams = marked;
  session.complete(requestId, outcome);
  setImmediate(() => accepted(res));
}
