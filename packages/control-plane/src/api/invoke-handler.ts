// Invoke: POST /2015-03-31/functions/{name}/invocations, served on plain node:http
// ahead of Express because it is the hot path of the platform. RequestResponse
// returns the function's result with 200 (function errors keep 200 and set
// X-Amz-Function-Error); Event commits the invocation and answers 202; DryRun
// checks the function and answers 204. The call's request id is made here, as it
// arrives: the function runs under it, and its error answer and log lines name it.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ByteBudget, Logger } from "@stratus/shared";
import { errors, headers, traceResponseHeaders } from "@stratus/shared";
import type { Access } from "../iam/access.js";
import type { ControlPlaneMetrics } from "../metrics.js";
import type { AsyncService } from "../services/async-service.js";
import type { InvokeService } from "../services/invoke-service.js";
import type { PolicyService } from "../services/policy-service.js";
import type { Authenticator } from "./auth.js";
import { sendError } from "./error-middleware.js";
import { readInvokeCall, requestTrace } from "./invoke-request.js";
import { type AccessLog, accountOf, elapsedMs, noteAccount } from "./request-log.js";

const PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations\/?(?:\?(.*))?$/;

export interface InvokeHandlerDeps {
  invoke: InvokeService;
  async: AsyncService;
  /** Asked only when a caller names another account's function. */
  policies: Pick<PolicyService, "allows">;
  /** Judges calls signed with execution roles' temporary credentials. */
  sessions: { access: Access; region: string };
  authenticate: Authenticator;
  /** Bounds the bytes of all bodies read before their signature is checked (shared with the app). */
  budget: ByteBudget;
  metrics: ControlPlaneMetrics;
  log: Logger;
  access: AccessLog;
}

/** Returns false when the request is not an Invoke (the Express app takes it). */
export type InvokeHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createInvokeHandler(deps: InvokeHandlerDeps): InvokeHandler {
  // The metrics' labelled children, looked up once: prom-client hashes a label set on every call.
  const durations = {
    success: deps.metrics.invokeDuration.labels({ outcome: "success" }),
    function_error: deps.metrics.invokeDuration.labels({ outcome: "function_error" }),
  };
  const counted = new Map<number, { inc(): void }>();
  const countRequest = (status: number) => {
    let child = counted.get(status);
    if (!child) {
      child = deps.metrics.requests.labels({ operation: "Invoke", status: String(status) });
      counted.set(status, child);
    }
    child.inc();
  };
  /** Answers the call; resolves with the request id the answer names (an async invocation's, for an Event). */
  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    rawName: string,
    query: string,
    requestId: string,
  ): Promise<string> {
    const type = (req.headers[headers.invocationType] as string | undefined) ?? "RequestResponse";
    const acceptedAt = Date.now();
    const { accountId, ref, payload, clientContext, tail } = await readInvokeCall(req, deps, type, rawName, query);
    const trace = { incoming: requestTrace(req), acceptedAt };
    noteAccount(res, accountId);
    if (type === "DryRun") {
      const fn = await deps.invoke.resolve(accountId, ref.name, ref.qualifier);
      res.writeHead(204, { [headers.executedVersion]: fn.version });
      res.end();
      return requestId;
    }
    if (type === "Event") {
      // Committed before the 202: nothing accepted is lost (what the queue never got, the reconciler finds).
      const accepted = await deps.async.accept(accountId, ref.name, ref.qualifier, payload, trace);
      const id = accepted.id;
      res.writeHead(202, { [headers.requestId]: id, "content-length": 0, ...traceResponseHeaders(accepted.trace) });
      res.end();
      return id;
    }
    if (type !== "RequestResponse") {
      throw errors.invalidParameter(`Invalid value for X-Amz-Invocation-Type: ${type.slice(0, 32)}`);
    }
    const started = process.hrtime.bigint();
    const result = await deps.invoke.invokeSync({
      accountId,
      functionName: ref.name,
      qualifier: ref.qualifier,
      payload,
      clientContext,
      tail,
      requestId,
      ownRequestId: true,
      trace,
    });
    const out: Record<string, string | number> = {
      ...traceResponseHeaders(result.trace),
      "content-type": "application/json",
      "content-length": result.payload.length,
      [headers.requestId]: result.requestId,
      [headers.executedVersion]: result.executedVersion,
    };
    if (result.functionError) out[headers.functionError] = result.functionError;
    if (result.logResult !== undefined) out[headers.logResult] = result.logResult;
    res.writeHead(200, out);
    res.end(result.payload);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    durations[result.functionError ? "function_error" : "success"].observe(seconds);
    return requestId;
  }

  /** Counts the answered call, and writes its access line. */
  function answered(res: ServerResponse, requestId: string, startedAt: number): void {
    countRequest(res.statusCode);
    deps.access(() => {
      const account = accountOf(res);
      const latencyMs = elapsedMs(startedAt);
      return { requestId, ...(account ? { account } : {}), operation: "Invoke", status: res.statusCode, latencyMs };
    });
  }

  return (req, res) => {
    if (req.method !== "POST") return false;
    const m = PATH.exec(req.url ?? "");
    if (!m) return false;
    const requestId = randomUUID();
    const startedAt = performance.now();
    handle(req, res, m[1] as string, m[2] ?? "", requestId).then(
      (answeredId) => answered(res, answeredId, startedAt),
      (err: unknown) => {
        sendError(res, err, deps.log, requestId);
        answered(res, requestId, startedAt);
      },
    );
    return true;
  };
}
