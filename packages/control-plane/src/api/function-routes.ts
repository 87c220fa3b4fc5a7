// Lambda function operations: CreateFunction, ListFunctions, GetFunction,
// GetFunctionConfiguration, UpdateFunctionCode, UpdateFunctionConfiguration,
// DeleteFunction, PublishVersion, ListVersionsByFunction. Handlers parse, call the
// service and render; errors are thrown and rendered by the error middleware.
import { Router } from "express";
import type { FunctionService } from "../services/function-service.js";
import type { SettingsService } from "../services/settings-service.js";
import { callerAccount } from "./auth.js";
import { jsonBody } from "./body.js";
import { codeLocation } from "./code-links.js";
import { toConfiguration } from "./lambda-shapes.js";
import { page, target } from "./params.js";
import { route } from "./route.js";

const BASE = "/2015-03-31/functions";

export function functionRoutes(
  functions: FunctionService,
  settings: SettingsService,
  region: string,
  linkSecret: string,
): Router {
  const r = Router();
  const config = (fn: Parameters<typeof toConfiguration>[0]) => toConfiguration(fn, region);

  r.post(
    BASE,
    route("CreateFunction", async (req, res) => {
      res.status(201).json(config(await functions.create(callerAccount(res.locals), jsonBody(req))));
    }),
  );
  r.get(
    [BASE, `${BASE}/`],
    route("ListFunctions", async (req, res) => {
      const { marker, maxItems } = page(req);
      const result = await functions.list(callerAccount(res.locals), marker, maxItems);
      res.json({
        Functions: result.items.map(config),
        ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
      });
    }),
  );
  r.get(
    `${BASE}/:name`,
    route("GetFunction", async (req, res) => {
      const t = target(req, res);
      const fn = await functions.get(t.accountId, t.name, t.qualifier);
      const [tags, reserved] = await Promise.all([
        settings.getTags(t.accountId, t.name),
        settings.getConcurrency(t.accountId, t.name),
      ]);
      res.json({
        Configuration: config(fn),
        // An image's repository type is "ECR" whatever registry holds it: the value SDKs and tools expect.
        Code: fn.image
          ? {
              RepositoryType: "ECR",
              ImageUri: fn.image.uri,
              ...(fn.image.resolvedUri ? { ResolvedImageUri: fn.image.resolvedUri } : {}),
            }
          : {
              RepositoryType: "S3",
              Location: codeLocation(linkSecret, `${req.protocol}://${req.get("host")}`, fn.codeSha256Hex),
            },
        Tags: tags,
        ...(reserved !== null ? { Concurrency: { ReservedConcurrentExecutions: reserved } } : {}),
      });
    }),
  );
  r.get(
    `${BASE}/:name/configuration`,
    route("GetFunctionConfiguration", async (req, res) => {
      const t = target(req, res);
      res.json(config(await functions.get(t.accountId, t.name, t.qualifier)));
    }),
  );
  r.put(
    `${BASE}/:name/code`,
    route("UpdateFunctionCode", async (req, res) => {
      const t = target(req, res, false);
      res.json(config(await functions.updateCode(t.accountId, t.name, jsonBody(req))));
    }),
  );
  r.put(
    `${BASE}/:name/configuration`,
    route("UpdateFunctionConfiguration", async (req, res) => {
      const t = target(req, res, false);
      res.json(config(await functions.updateConfiguration(t.accountId, t.name, jsonBody(req))));
    }),
  );
  r.delete(
    `${BASE}/:name`,
    route("DeleteFunction", async (req, res) => {
      const t = target(req, res);
      await functions.delete(t.accountId, t.name, t.qualifier);
      res.status(204).end();
    }),
  );
  r.post(
    `${BASE}/:name/versions`,
    route("PublishVersion", async (req, res) => {
      const t = target(req, res, false);
      res.status(201).json(config(await functions.publish(t.accountId, t.name, jsonBody(req))));
    }),
  );
  r.get(
    `${BASE}/:name/versions`,
    route("ListVersionsByFunction", async (req, res) => {
      const t = target(req, res, false);
      const { marker, maxItems } = page(req);
      const result = await functions.listVersions(t.accountId, t.name, marker, maxItems);
      res.json({
        Versions: result.items.map((fn) => toConfiguration(fn, region, true)),
        ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
      });
    }),
  );
  return r;
}
