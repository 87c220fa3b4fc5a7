// Lambda alias operations: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases.
import { Router } from "express";
import type { AliasService } from "../services/alias-service.js";
import { jsonBody } from "./body.js";
import { toAliasConfiguration } from "./lambda-shapes.js";
import { page, target } from "./params.js";
import { route } from "./route.js";

const BASE = "/2015-03-31/functions/:name/aliases";

export function aliasRoutes(aliases: AliasService, region: string): Router {
  const r = Router();
  const shape = (a: Parameters<typeof toAliasConfiguration>[0]) => toAliasConfiguration(a, region);
  r.post(
    BASE,
    route("CreateAlias", async (req, res) => {
      const t = target(req, res, false);
      res.status(201).json(shape(await aliases.create(t.accountId, t.name, jsonBody(req))));
    }),
  );
  r.get(
    BASE,
    route("ListAliases", async (req, res) => {
      const t = target(req, res, false);
      const { marker, maxItems } = page(req);
      const version = typeof req.query.FunctionVersion === "string" ? req.query.FunctionVersion : undefined;
      const result = await aliases.list(t.accountId, t.name, version, marker, maxItems);
      res.json({ Aliases: result.items.map(shape), ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}) });
    }),
  );
  r.get(
    `${BASE}/:alias`,
    route("GetAlias", async (req, res) => {
      const t = target(req, res, false);
      res.json(shape(await aliases.get(t.accountId, t.name, String(req.params.alias))));
    }),
  );
  r.put(
    `${BASE}/:alias`,
    route("UpdateAlias", async (req, res) => {
      const t = target(req, res, false);
      res.json(shape(await aliases.update(t.accountId, t.name, String(req.params.alias), jsonBody(req))));
    }),
  );
  r.delete(
    `${BASE}/:alias`,
    route("DeleteAlias", async (req, res) => {
      const t = target(req, res, false);
      await aliases.delete(t.accountId, t.name, String(req.params.alias));
      res.status(204).end();
    }),
  );
  return r;
}
