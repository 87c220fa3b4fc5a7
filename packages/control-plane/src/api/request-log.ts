// Each API request as the process sees it: counted by operation and status, and once
// answered, one access line (operation, status, latency in ms, request id, the
// account once its signature named one): at info level, or at debug with
// STRATUS_ACCESS_LOG=off. The line never holds a header, a query string or a body,
// so no key, signature, environment value or payload reaches the log. The id is made
// when first asked for (its error answer, a log line), so a request that needs none
// costs none.
import { randomUUID } from "node:crypto";
import type { Logger } from "@stratus/shared";
import type { RequestHandler } from "express";
import type { ControlPlaneMetrics } from "../metrics.js";

/** One answered request, as its access line says it. */
export interface AccessLine {
  requestId: string;
  /** The account the request's credentials belong to; absent before (or without) a good signature. */
  account?: string;
  operation: string;
  status: number;
  latencyMs: number;
  method?: string;
  /** The path alone: a query string may carry a presigned URL's signature. */
  path?: string;
}

/** Writes access lines; `build` is called only when a line is written. */
export type AccessLog = (build: () => AccessLine) => void;

/** Access lines to `log`: at info when `enabled` (STRATUS_ACCESS_LOG=on), else at debug. */
export function accessLog(log: Logger, enabled: boolean): AccessLog {
  return (build) => {
    if (enabled) log.info("access", { ...build() });
    else if (log.isLevelEnabled("debug")) log.debug("access", { ...build() });
  };
}

/** The request's id, kept in its response's locals. */
export function requestIdOf(locals: Record<string, unknown>): string {
  if (typeof locals.requestId !== "string") locals.requestId = randomUUID();
  return locals.requestId as string;
}

/** Milliseconds since `startedAt` (performance.now()), to the microsecond. */
export function elapsedMs(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 1000) / 1000;
}

/** The account of a request served ahead of Express (invoke), noted once its signature passed. */
const accounts = new WeakMap<object, string>();
export const noteAccount = (res: object, accountId: string): void => void accounts.set(res, accountId);
export const accountOf = (res: object): string | undefined => accounts.get(res);

export function trackRequests(metrics: ControlPlaneMetrics, access: AccessLog): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    res.on("finish", () => {
      const operation = typeof res.locals.operation === "string" ? res.locals.operation : "Unknown";
      metrics.requests.inc({ operation, status: String(res.statusCode) });
      access(() => ({
        requestId: requestIdOf(res.locals),
        ...(typeof res.locals.accountId === "string" ? { account: res.locals.accountId } : {}),
        operation,
        status: res.statusCode,
        latencyMs: elapsedMs(startedAt),
        method: req.method,
        path: req.path,
      }));
    });
    next();
  };
}
