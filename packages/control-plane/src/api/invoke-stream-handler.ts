// InvokeWithResponseStream: POST /2021-11-15/functions/{name}/response-streaming-invocations,
// served on plain node:http beside Invoke. RequestResponse answers 200 as an AWS event
// stream (event-stream.ts): a PayloadChunk for each piece of the function's result as
// it arrives, then InvokeComplete with the error, if any, and the log tail. Everything
// that goes wrong before the function's answer begins (a missing function, a
// throttle) is an ordinary restJson1 error; DryRun checks the function and answers 204.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors, headers, StratusError, traceResponseHeaders } from "@stratus/shared";
import type { StreamedInvokeResult } from "../services/invoke-service.js";
import { sendError } from "./error-middleware.js";
import { EVENT_STREAM_CONTENT_TYPE, invokeComplete, payloadChunks } from "./event-stream.js";
import type { InvokeHandlerDeps } from "./invoke-handler.js";
import { readInvokeCall, requestTrace } from "./invoke-request.js";
import { accountOf, elapsedMs, noteAccount } from "./request-log.js";

const PATH = /^\/2021-11-15\/functions\/([^/?]+)\/response-streaming-invocations\/?(?:\?(.*))?$/;
const TYPES = new Set(["RequestResponse", "DryRun"]);

/** Invoke's, less the async service: this operation takes no Event. */
export type InvokeStreamHandlerDeps = Omit<InvokeHandlerDeps, "async">;

/** Returns false when the request is not an InvokeWithResponseStream. */
export type InvokeStreamHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createInvokeStreamHandler(deps: InvokeStreamHandlerDeps): InvokeStreamHandler {
  async function handle(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, requestId: string) {
    const type = (req.headers[headers.invocationType] as string | undefined) ?? "RequestResponse";
    const acceptedAt = Date.now();
    const input = await readInvokeCall(req, deps, type, m[1] as string, m[2] ?? "");
    noteAccount(res, input.accountId);
    // This operation takes no Event: a stream has nobody to go to once the call is answered.
    if (!TYPES.has(type)) {
      throw errors.invalidParameter(`Unsupported invocation type ${type.slice(0, 32)} for InvokeWithResponseStream`);
    }
    if (type === "DryRun") {
      const fn = await deps.invoke.resolve(input.accountId, input.ref.name, input.ref.qualifier);
      res.writeHead(204, { [headers.requestId]: requestId, [headers.executedVersion]: fn.version });
      res.end();
      return;
    }
    const result = await deps.invoke.invokeStream({
      accountId: input.accountId,
      functionName: input.ref.name,
      qualifier: input.ref.qualifier,
      payload: input.payload,
      clientContext: input.clientContext,
      tail: input.tail,
      requestId,
      ownRequestId: true,
      trace: { incoming: requestTrace(req), acceptedAt },
    });
    res.writeHead(200, {
      ...traceResponseHeaders(result.trace),
      "content-type": EVENT_STREAM_CONTENT_TYPE,
      [headers.requestId]: requestId,
      [headers.executedVersion]: result.executedVersion,
    });
    res.flushHeaders();
    await relay(res, result);
  }

  return (req, res) => {
    if (req.method !== "POST") return false;
    const m = PATH.exec(req.url ?? "");
    if (!m) return false;
    const requestId = randomUUID();
    const startedAt = performance.now();
    const answered = () => {
      deps.metrics.requests.inc({ operation: "InvokeWithResponseStream", status: String(res.statusCode) });
      deps.access(() => {
        const account = accountOf(res);
        const latencyMs = elapsedMs(startedAt);
        const operation = "InvokeWithResponseStream";
        return { requestId, ...(account ? { account } : {}), operation, status: res.statusCode, latencyMs };
      });
    };
    handle(req, res, m, requestId).then(answered, (err: unknown) => {
      sendError(res, err, deps.log, requestId);
      answered();
    });
    return true;
  };
}

/** Frames the function's bytes as they come, paced by the caller, then ends with InvokeComplete. */
async function relay(res: ServerResponse, result: StreamedInvokeResult): Promise<void> {
  const { body } = result;
  body.on("data", (chunk: Buffer) => {
    let open = true;
    for (const frame of payloadChunks(chunk)) open = res.write(frame) && open;
    if (!open) body.pause();
  });
  res.on("drain", () => body.resume());
  // The caller went away: the function's stream is let go (the invoker drops the rest).
  res.on("close", () => {
    if (!res.writableFinished) body.destroy();
  });
  await new Promise<void>((resolve) => {
    body.once("end", resolve);
    body.once("close", resolve);
    body.once("error", () => resolve());
  });
  let complete: Parameters<typeof invokeComplete>[0];
  try {
    const end = await result.end;
    complete = { logResult: end.logResult };
    if (end.functionError) Object.assign(complete, errorOf(end.payload));
  } catch (err) {
    const e = err instanceof StratusError ? err : errors.service("The function's stream broke off");
    complete = { errorCode: e.code, errorDetails: e.message };
  }
  if (!res.writable) return;
  res.end(invokeComplete(complete));
}

/** InvokeComplete's ErrorCode and ErrorDetails from the function's error JSON. */
export function errorOf(payload: Buffer): { errorCode: string; errorDetails: string } {
  try {
    const parsed = JSON.parse(payload.toString("utf8")) as { errorType?: unknown; errorMessage?: unknown };
    return {
      errorCode: typeof parsed.errorType === "string" ? parsed.errorType : "Unhandled",
      errorDetails: typeof parsed.errorMessage === "string" ? parsed.errorMessage : payload.toString("utf8"),
    };
  } catch {
    return { errorCode: "Unhandled", errorDetails: payload.toString("utf8") };
  }
}
