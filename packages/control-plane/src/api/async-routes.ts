// Async invocations beside the Lambda API (a Stratus extension, SigV4-signed and
// scoped to the caller's account): status, listing (e.g. the dead-letter records)
// and re-drive.
//   GET  /stratus/2026-11-01/invocations/{id}
//   GET  /stratus/2026-11-01/functions/{name}/async-invocations?Status=dead_lettered&Limit=N
//   POST /stratus/2026-11-01/invocations/{id}/redrive
import { errors } from "@stratus/shared";
import { Router } from "express";
import type { AsyncService } from "../services/async-service.js";
import { type AsyncStatus, STATUSES } from "../store/async-state.js";
import type { AsyncInvocation } from "../store/async-store.js";
import { callerAccount } from "./auth.js";
import { target } from "./params.js";
import { route } from "./route.js";

const PREFIX = "/stratus/2026-11-01";

// Attempts: attempts spent against MaxAttempts (a throttle or a platform error gives
// its attempt back). ApproximateInvokeCount: attempts that reached an invoker node, so
// may have run the function (the count a destination record carries). Both include a
// running attempt.
const shape = (i: AsyncInvocation) => ({
  RequestId: i.id,
  FunctionName: i.functionName,
  ...(i.qualifier ? { Qualifier: i.qualifier } : {}),
  Status: i.status,
  Attempts: i.attempt,
  MaxAttempts: i.maxAttempts,
  ApproximateInvokeCount: i.invokeCount,
  AcceptedAt: i.acceptedAt.toISOString(),
  ...(i.executedVersion ? { ExecutedVersion: i.executedVersion } : {}),
  ...(i.error !== undefined ? { Error: i.error } : {}),
});

export function asyncRoutes(service: AsyncService): Router {
  const r = Router();
  r.get(
    `${PREFIX}/invocations/:id`,
    route("GetAsyncInvocation", async (req, res) => {
      res.json(shape(await service.get(callerAccount(res.locals), String(req.params.id))));
    }),
  );
  r.get(
    `${PREFIX}/functions/:name/async-invocations`,
    route("ListAsyncInvocations", async (req, res) => {
      const t = target(req, res, false);
      const status = typeof req.query.Status === "string" ? (req.query.Status as AsyncStatus) : undefined;
      if (status && !STATUSES.includes(status))
        throw errors.invalidParameter(`Status must be one of ${STATUSES.join(", ")}`);
      const limit = Math.min(Math.max(Number(req.query.Limit ?? 50) || 50, 1), 1000);
      res.json({ Invocations: (await service.list(t.accountId, t.name, status, limit)).map(shape) });
    }),
  );
  r.post(
    `${PREFIX}/invocations/:id/redrive`,
    route("RedriveAsyncInvocation", async (req, res) => {
      await service.redrive(callerAccount(res.locals), String(req.params.id));
      res.status(202).json({ RequestId: String(req.params.id) });
    }),
  );
  return r;
}
