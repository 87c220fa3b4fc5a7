// Reading invocation logs (a Stratus extension beside the Lambda API, SigV4-signed
// and scoped to the caller's account like every other route):
//   GET /stratus/2026-11-01/functions/{name}/logs?Limit=N   newest first
//   GET /stratus/2026-11-01/invocations/{requestId}/log?Limit=N
// An async invocation runs every attempt under its one request id, so the second
// answers the newest attempt's log and, in Attempts, every attempt's, newest first.
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

const limitOf = (value: unknown) => Math.min(Math.max(Number(value ?? 20) || 20, 1), 100);

export function logRoutes(logs: LogStore): Router {
  const r = Router();
  r.get(
    `${LOGS_PREFIX}/functions/:name/logs`,
    route("ListInvocationLogs", async (req, res) => {
      const t = target(req, res, false);
      res.json({ Invocations: (await logs.byFunction(t.accountId, t.name, limitOf(req.query.Limit))).map(shape) });
    }),
  );
  r.get(
    `${LOGS_PREFIX}/invocations/:requestId/log`,
    route("GetInvocationLog", async (req, res) => {
      const requestId = String(req.params.requestId);
      const attempts = await logs.byRequestId(callerAccount(res.locals), requestId, limitOf(req.query.Limit));
      const newest = attempts[0];
      if (!newest) throw errors.notFound(`No log for invocation ${requestId.slice(0, 64)}`);
      res.json({ ...shape(newest), Attempts: attempts.map(shape) });
    }),
  );
  return r;
}
