// Internal endpoints for invoker nodes, guarded by the shared internal token:
// GET /internal/v1/code/{sha256 hex} returns a function's zip by its digest;
// POST /internal/v1/logs stores finished invocation logs (and their CloudWatch log events).
import { timingSafeEqual } from "node:crypto";
import { errors, type InvocationLogRecord, InvocationLogRecordSchema, internalInvoke } from "@stratus/shared";
import { type RequestHandler, Router } from "express";
import { z } from "zod";
import type { FunctionService } from "../services/function-service.js";
import type { LogStore } from "../store/log-store.js";
import type { BoundedDb } from "../store/pg-helpers.js";
import { jsonBody } from "./body.js";
import { INTERNAL_LOGS_BYTES } from "./body-caps.js";
import { rawBodyReader } from "./raw-body.js";
import { route } from "./route.js";

function requireToken(token: string): RequestHandler {
  const expected = Buffer.from(token);
  return (req, _res, next) => {
    const given = Buffer.from(req.get(internalInvoke.tokenHeader) ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return next(errors.unrecognizedClient("Invalid internal token"));
    }
    next();
  };
}

/**
 * `ingest`: writes fresh records as CloudWatch log events, in the transaction that
 * stored them; what it returns runs once that transaction has committed.
 */
export function internalRoutes(
  functions: FunctionService,
  logs: LogStore,
  internalToken: string,
  ingest?: (fresh: InvocationLogRecord[], tx: BoundedDb) => Promise<() => void>,
): Router {
  const r = Router();
  r.use(internalInvoke.codePath, requireToken(internalToken));
  // Read only once the token is known good.
  r.use(internalInvoke.logsPath, requireToken(internalToken), rawBodyReader(INTERNAL_LOGS_BYTES));
  r.post(
    internalInvoke.logsPath,
    route("InternalPutLogs", async (req, res) => {
      const parsed = z.array(InvocationLogRecordSchema).max(1000).safeParse(jsonBody(req));
      if (!parsed.success)
        throw errors.invalidRequestContent(`Invalid log records: ${parsed.error.issues[0]?.message}`);
      let committed: (() => void) | undefined;
      await logs.insert(
        parsed.data,
        ingest &&
          (async (fresh, tx) => {
            committed = await ingest(fresh, tx);
          }),
      );
      committed?.();
      res.status(204).end();
    }),
  );
  r.get(
    `${internalInvoke.codePath}/:sha`,
    route("InternalGetCode", async (req, res) => {
      const sha = String(req.params.sha);
      const zip = /^[0-9a-f]{64}$/.test(sha) ? await functions.getCode(sha) : undefined;
      if (!zip) throw errors.notFound(`No code with digest ${sha.slice(0, 64)}`);
      res.type("application/zip").send(zip);
    }),
  );
  return r;
}
