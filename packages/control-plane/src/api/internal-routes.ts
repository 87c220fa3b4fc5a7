// Internal endpoints for invoker nodes, guarded by the shared internal token:
// GET /internal/v1/code/{sha256 hex} returns a function's zip by its digest.
import { timingSafeEqual } from "node:crypto";
import { errors, internalInvoke } from "@stratus/shared";
import { type RequestHandler, Router } from "express";
import type { FunctionService } from "../services/function-service.js";
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

export function internalRoutes(functions: FunctionService, internalToken: string): Router {
  const r = Router();
  r.use(internalInvoke.codePath, requireToken(internalToken));
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
