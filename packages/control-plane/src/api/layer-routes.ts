// Lambda layer operations under /2018-10-31/layers: PublishLayerVersion,
// GetLayerVersion, GetLayerVersionByArn (?find=LayerVersion&Arn=), ListLayers,
// ListLayerVersions, DeleteLayerVersion, Add/RemoveLayerVersionPermission and
// GetLayerVersionPolicy. Handlers parse, call the service and render.
import { errors } from "@stratus/shared";
import { type Request, Router } from "express";
import { layerVersionArn } from "../layers/layer-arns.js";
import { policyDocument, statementJson } from "../layers/layer-policy.js";
import type { LayerService } from "../services/layer-service.js";
import type { LayerFilter } from "../store/layer-store.js";
import { callerAccount } from "./auth.js";
import { jsonBody } from "./body.js";
import { codeLocation } from "./code-links.js";
import { toLayersListItem, toLayerVersion, toLayerVersionItem } from "./layer-shapes.js";
import { page } from "./params.js";
import { route } from "./route.js";

const BASE = "/2018-10-31/layers";
const VERSION = `${BASE}/:name/versions/:version`;

const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

function filterOf(req: Request): LayerFilter {
  const runtime = text(req.query.CompatibleRuntime);
  const architecture = text(req.query.CompatibleArchitecture);
  return { ...(runtime ? { runtime } : {}), ...(architecture ? { architecture } : {}) };
}

export function layerRoutes(layers: LayerService, region: string, linkSecret: string): Router {
  const r = Router();
  const full = (req: Request, v: Parameters<typeof toLayerVersion>[0]) =>
    toLayerVersion(v, region, codeLocation(linkSecret, `${req.protocol}://${req.get("host")}`, v.sha256Hex));
  const arnOf = (v: Parameters<typeof toLayerVersion>[0]) =>
    layerVersionArn(region, { accountId: v.accountId, name: v.layerName, version: v.version });

  r.get(
    [BASE, `${BASE}/`],
    route("ListLayers", async (req, res) => {
      const accountId = callerAccount(res.locals);
      if (req.query.find !== undefined) {
        res.locals.operation = "GetLayerVersionByArn";
        if (req.query.find !== "LayerVersion") throw errors.invalidParameter("find must be LayerVersion");
        const arn = text(req.query.Arn);
        if (!arn) throw errors.invalidParameter("Arn is required");
        res.json(full(req, await layers.getByArn(accountId, arn)));
        return;
      }
      const { marker, maxItems } = page(req);
      const result = await layers.listLayers(accountId, filterOf(req), marker, maxItems);
      res.json({
        Layers: result.items.map((v) => toLayersListItem(v, region)),
        ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
      });
    }),
  );
  r.post(
    `${BASE}/:name/versions`,
    route("PublishLayerVersion", async (req, res) => {
      const v = await layers.publish(callerAccount(res.locals), String(req.params.name), jsonBody(req));
      res.status(201).json(full(req, v));
    }),
  );
  r.get(
    `${BASE}/:name/versions`,
    route("ListLayerVersions", async (req, res) => {
      const { marker, maxItems } = page(req);
      const result = await layers.listVersions(
        callerAccount(res.locals),
        String(req.params.name),
        filterOf(req),
        marker,
        maxItems,
      );
      res.json({
        LayerVersions: result.items.map((v) => toLayerVersionItem(v, region)),
        ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
      });
    }),
  );
  r.get(
    VERSION,
    route("GetLayerVersion", async (req, res) => {
      const v = await layers.get(callerAccount(res.locals), String(req.params.name), String(req.params.version));
      res.json(full(req, v));
    }),
  );
  r.delete(
    VERSION,
    route("DeleteLayerVersion", async (req, res) => {
      await layers.delete(callerAccount(res.locals), String(req.params.name), String(req.params.version));
      res.status(204).end();
    }),
  );
  r.post(
    `${VERSION}/policy`,
    route("AddLayerVersionPermission", async (req, res) => {
      const { layer, sid } = await layers.addPermission(
        callerAccount(res.locals),
        String(req.params.name),
        String(req.params.version),
        jsonBody(req),
        text(req.query.RevisionId),
      );
      const statement = layer.policy.find((s) => s.sid === sid);
      res.status(201).json({
        Statement: JSON.stringify(statement && statementJson(statement, arnOf(layer))),
        RevisionId: layer.policyRevisionId,
      });
    }),
  );
  r.get(
    `${VERSION}/policy`,
    route("GetLayerVersionPolicy", async (req, res) => {
      const layer = await layers.getPolicy(
        callerAccount(res.locals),
        String(req.params.name),
        String(req.params.version),
      );
      res.json({ Policy: policyDocument(layer.policy, arnOf(layer)), RevisionId: layer.policyRevisionId });
    }),
  );
  r.delete(
    `${VERSION}/policy/:sid`,
    route("RemoveLayerVersionPermission", async (req, res) => {
      await layers.removePermission(
        callerAccount(res.locals),
        String(req.params.name),
        String(req.params.version),
        String(req.params.sid),
        text(req.query.RevisionId),
      );
      res.status(204).end();
    }),
  );
  return r;
}
