// Each Lambda API request as the process sees it: counted by operation and status,
// and at debug level logged once answered, under its request id. The id is made when
// first asked for (its error answer, a log line), so a request that needs none costs
// none.
import { randomUUID } from "node:crypto";
import type { Logger } from "@stratus/shared";
import type { RequestHandler } from "express";
import type { ControlPlaneMetrics } from "../metrics.js";

/** The request's id, kept in its response's locals. */
export function requestIdOf(locals: Record<string, unknown>): string {
  if (typeof locals.requestId !== "string") locals.requestId = randomUUID();
  return locals.requestId as string;
}

/** Milliseconds since `startedAt` (performance.now()), to the microsecond. */
export function elapsedMs(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 1000) / 1000;
}

export function trackRequests(metrics: ControlPlaneMetrics, log: Logger): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    res.on("finish", () => {
      const operation = typeof res.locals.operation === "string" ? res.locals.operation : "Unknown";
      metrics.requests.inc({ operation, status: String(res.statusCode) });
      if (!log.isLevelEnabled("debug")) return;
      log.debug("request", {
        requestId: requestIdOf(res.locals),
        operation,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: elapsedMs(startedAt),
      });
    });
    next();
  };
}
