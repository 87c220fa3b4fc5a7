// Provisioned concurrency: Put (202), Get, Delete (204) and List, on Lambda's paths.
import { Router } from "express";
import type { ProvisionedService } from "../provisioned/provisioned-service.js";
import type { ProvisionedConfig } from "../store/provisioned-store.js";
import { jsonBody } from "./body.js";
import { lambdaTimestamp } from "./lambda-shapes.js";
import { page, target } from "./params.js";
import { route } from "./route.js";

const PATH = "/2019-09-30/functions/:name/provisioned-concurrency";

function shape(c: ProvisionedConfig) {
  return {
    RequestedProvisionedConcurrentExecutions: c.requested,
    AvailableProvisionedConcurrentExecutions: c.allocated,
    AllocatedProvisionedConcurrentExecutions: c.allocated,
    Status: c.status,
    ...(c.statusReason ? { StatusReason: c.statusReason } : {}),
    LastModified: lambdaTimestamp(c.lastModified),
  };
}

export function provisionedRoutes(service: ProvisionedService, region: string): Router {
  const r = Router();
  const list = route("ListProvisionedConcurrencyConfigs", async (req, res) => {
    const t = target(req, res, false);
    const { marker, maxItems } = page(req);
    const result = await service.list(t.accountId, t.name, marker, Math.min(maxItems, 50));
    res.json({
      ProvisionedConcurrencyConfigs: result.items.map((c) => ({
        FunctionArn: `arn:aws:lambda:${region}:${c.accountId}:function:${c.functionName}:${c.qualifier}`,
        ...shape(c),
      })),
      ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
    });
  });
  const get = route("GetProvisionedConcurrencyConfig", async (req, res) => {
    const t = target(req, res);
    res.json(shape(await service.get(t.accountId, t.name, t.qualifier)));
  });
  // One path for both: List is told apart by its List=ALL query.
  r.get(PATH, (req, res, next) => (req.query.List === undefined ? get : list)(req, res, next));
  r.put(
    PATH,
    route("PutProvisionedConcurrencyConfig", async (req, res) => {
      const t = target(req, res);
      res.status(202).json(shape(await service.put(t.accountId, t.name, t.qualifier, jsonBody(req))));
    }),
  );
  r.delete(
    PATH,
    route("DeleteProvisionedConcurrencyConfig", async (req, res) => {
      const t = target(req, res);
      await service.delete(t.accountId, t.name, t.qualifier);
      res.status(204).end();
    }),
  );
  return r;
}
