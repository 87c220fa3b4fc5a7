// Invoke: POST /2015-03-31/functions/{name}/invocations. RequestResponse returns the
// function's result with 200 (function errors keep 200 and set X-Amz-Function-Error);
// DryRun checks the function and answers 204.
import { errors, headers, limits } from "@stratus/shared";
import { Router } from "express";
import type { ControlPlaneMetrics } from "../metrics.js";
import type { InvokeService } from "../services/invoke-service.js";
import { callerAccount } from "./auth.js";
import { checkJson, rawBody } from "./body.js";
import { parseFunctionRef } from "./function-ref.js";
import { route } from "./route.js";

const MAX_CLIENT_CONTEXT = 3583;

export function invokeRoutes(invoke: InvokeService, metrics: ControlPlaneMetrics): Router {
  const r = Router();
  r.post(
    "/2015-03-31/functions/:name/invocations",
    route("Invoke", async (req, res) => {
      const account = callerAccount(res.locals);
      const ref = parseFunctionRef(String(req.params.name), account, req.query.Qualifier as string | undefined);
      const type = req.get(headers.invocationType) ?? "RequestResponse";
      const payload = rawBody(req);
      if (payload.length > limits.syncPayloadBytes) {
        throw errors.tooLarge(
          `Request must be smaller than ${limits.syncPayloadBytes} bytes for the InvokeFunction operation`,
        );
      }
      checkJson(payload);
      const clientContext = req.get(headers.clientContext);
      if (clientContext && clientContext.length > MAX_CLIENT_CONTEXT) {
        throw errors.invalidParameter(`Client context must be at most ${MAX_CLIENT_CONTEXT} bytes`);
      }
      if (type === "DryRun") {
        const fn = await invoke.resolve(account, ref.name, ref.qualifier);
        res.status(204).set(headers.executedVersion, fn.version).end();
        return;
      }
      if (type === "Event") {
        // Durable async invocation (outbox + BullMQ) is not built yet: refuse clearly
        // rather than accept an event that could be lost.
        throw errors.invalidParameter("Event invocations are not supported yet");
      }
      if (type !== "RequestResponse") {
        throw errors.invalidParameter(`Invalid value for X-Amz-Invocation-Type: ${type.slice(0, 32)}`);
      }
      const started = process.hrtime.bigint();
      const result = await invoke.invokeSync({
        accountId: account,
        functionName: ref.name,
        qualifier: ref.qualifier,
        payload,
        clientContext,
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.invokeDuration.observe({ outcome: result.functionError ? "function_error" : "success" }, seconds);
      res.status(200);
      res.set(headers.requestId, result.requestId);
      res.set(headers.executedVersion, result.executedVersion);
      if (result.functionError) res.set(headers.functionError, result.functionError);
      res.type("application/json").send(result.payload);
    }),
  );
  return r;
}
