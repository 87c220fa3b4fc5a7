// Lambda function URL config operations (2021-10-31): Create/Get/Update/Delete
// FunctionUrlConfig on .../url?Qualifier= and ListFunctionUrlConfigs on .../urls.
import { Router } from "express";
import type { FunctionUrlConfig } from "../url-config.js";
import type { UrlForms } from "../urls/url-forms.js";
import type { UrlService } from "../urls/url-service.js";
import { jsonBody } from "./body.js";
import { lambdaTimestamp } from "./lambda-shapes.js";
import { page, target } from "./params.js";
import { route } from "./route.js";

const BASE = "/2021-10-31/functions/:name";

export function toFunctionUrlConfig(c: FunctionUrlConfig, forms: UrlForms, region: string) {
  return {
    FunctionUrl: forms.functionUrl(c.urlId),
    FunctionArn: `arn:aws:lambda:${region}:${c.accountId}:function:${c.functionName}${c.qualifier ? `:${c.qualifier}` : ""}`,
    AuthType: c.authType,
    ...(c.cors ? { Cors: c.cors } : {}),
    CreationTime: lambdaTimestamp(c.createdAt),
    LastModifiedTime: lambdaTimestamp(c.lastModified),
    InvokeMode: c.invokeMode,
  };
}

export function urlRoutes(urls: UrlService, forms: UrlForms, region: string): Router {
  const r = Router();
  const shape = (c: FunctionUrlConfig) => toFunctionUrlConfig(c, forms, region);
  r.post(
    `${BASE}/url`,
    route("CreateFunctionUrlConfig", async (req, res) => {
      const t = target(req, res);
      const { LastModifiedTime: _, ...created } = shape(
        await urls.create(t.accountId, t.name, t.qualifier, jsonBody(req)),
      );
      res.status(201).json(created);
    }),
  );
  r.get(
    `${BASE}/url`,
    route("GetFunctionUrlConfig", async (req, res) => {
      const t = target(req, res);
      res.json(shape(await urls.get(t.accountId, t.name, t.qualifier)));
    }),
  );
  r.put(
    `${BASE}/url`,
    route("UpdateFunctionUrlConfig", async (req, res) => {
      const t = target(req, res);
      res.json(shape(await urls.update(t.accountId, t.name, t.qualifier, jsonBody(req))));
    }),
  );
  r.delete(
    `${BASE}/url`,
    route("DeleteFunctionUrlConfig", async (req, res) => {
      const t = target(req, res);
      await urls.delete(t.accountId, t.name, t.qualifier);
      res.status(204).end();
    }),
  );
  r.get(
    `${BASE}/urls`,
    route("ListFunctionUrlConfigs", async (req, res) => {
      const t = target(req, res, false);
      const { marker, maxItems } = page(req);
      const result = await urls.list(t.accountId, t.name, marker, Math.min(maxItems, 50));
      res.json({
        FunctionUrlConfigs: result.items.map(shape),
        ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
      });
    }),
  );
  return r;
}
