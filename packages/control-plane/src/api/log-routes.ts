// Reading invocation logs (a Stratus extension beside the Lambda API, SigV4-signed
// and scoped to the caller's account like every other route):
//   GET /stratus/2026-11-01/functions/{name}/logs?Limit=N   newest first
//   GET /stratus/2026-11-01/invocations/{requestId}/log
import { errors } from "@stratus/shared";
import { Router } from "express";
import type { LogStore, StoredLog } from "../store/log-store.js";
import { callerAccount } from "./auth.js";
import { target } from "./params.js";
import { route } from "./route.js";

export const LOGS_PREFIX = "/stratus/2026-11-01";

const shape = (l: StoredLog) => ({
  RequestId: l.requestId,
  FunctionName: l.functionName,
  Version: l.version,
  StartedAt: l.startedAt,
  DurationMs: l.durationMs,
  Outcome: l.outcome,
  Log: l.text,
});

export function logRoutes(logs: LogStore): Router {
  const r = Router();
  r.get(
    `${LOGS_PREFIX}/functions/:name/logs`,
    route("ListInvocationLogs", async (req, res) => {
      const t = target(req, res, false);
      const limit = Math.min(Math.max(Number(req.query.Limit ?? 20) || 20, 1), 100);
      res.json({ Invocations: (await logs.byFunction(t.accountId, t.name, limit)).map(shape) });
    }),
  );
  r.get(
    `${LOGS_PREFIX}/invocations/:requestId/log`,
    route("GetInvocationLog", async (req, res) => {
      const found = await logs.byRequestId(callerAccount(res.locals), String(req.params.requestId));
      if (!found) throw errors.notFound(`No log for invocation ${String(req.params.requestId).slice(0, 64)}`);
      res.json(shape(found));
    }),
  );
  return r;
}
