// Lambda function operations: CreateFunction, ListFunctions, GetFunction,
// GetFunctionConfiguration, DeleteFunction. Handlers parse, call the service and
// render; errors are thrown and rendered by the error middleware.
import { Router } from "express";
import type { FunctionService } from "../services/function-service.js";
import { callerAccount } from "./auth.js";
import { jsonBody } from "./body.js";
import { parseFunctionRef } from "./function-ref.js";
import { toConfiguration } from "./lambda-shapes.js";
import { route } from "./route.js";

const BASE = "/2015-03-31/functions";

export function functionRoutes(functions: FunctionService, region: string): Router {
  const r = Router();

  r.post(
    BASE,
    route("CreateFunction", async (req, res) => {
      const fn = await functions.create(callerAccount(res.locals), jsonBody(req));
      res.status(201).json(toConfiguration(fn, region));
    }),
  );

  r.get(
    [BASE, `${BASE}/`],
    route("ListFunctions", async (req, res) => {
      const maxItems = Math.min(Math.max(Number(req.query.MaxItems ?? 50) || 50, 1), 10_000);
      const marker = typeof req.query.Marker === "string" && req.query.Marker ? req.query.Marker : undefined;
      const page = await functions.list(callerAccount(res.locals), marker, maxItems);
      res.json({
        Functions: page.items.map((f) => toConfiguration(f, region)),
        ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
      });
    }),
  );

  r.get(
    `${BASE}/:name`,
    route("GetFunction", async (req, res) => {
      const account = callerAccount(res.locals);
      const ref = parseFunctionRef(String(req.params.name), account, req.query.Qualifier as string | undefined);
      const fn = await functions.get(account, ref.name, ref.qualifier);
      res.json({ Configuration: toConfiguration(fn, region), Code: { RepositoryType: "S3" } });
    }),
  );

  r.get(
    `${BASE}/:name/configuration`,
    route("GetFunctionConfiguration", async (req, res) => {
      const account = callerAccount(res.locals);
      const ref = parseFunctionRef(String(req.params.name), account, req.query.Qualifier as string | undefined);
      res.json(toConfiguration(await functions.get(account, ref.name, ref.qualifier), region));
    }),
  );

  r.delete(
    `${BASE}/:name`,
    route("DeleteFunction", async (req, res) => {
      const account = callerAccount(res.locals);
      const ref = parseFunctionRef(String(req.params.name), account);
      await functions.delete(account, ref.name);
      res.status(204).end();
    }),
  );

  return r;
}
