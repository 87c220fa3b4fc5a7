// Lambda resource-based policy operations: AddPermission, GetPolicy, RemovePermission.
// Each takes the function in any form Lambda accepts and `?Qualifier=` for a version
// or alias; RemovePermission takes `?RevisionId=` too.
import { Router } from "express";
import type { PolicyService } from "../services/policy-service.js";
import { jsonBody } from "./body.js";
import { target } from "./params.js";
import { route } from "./route.js";

const BASE = "/2015-03-31/functions/:name/policy";

export function policyRoutes(policies: PolicyService): Router {
  const r = Router();
  r.post(
    BASE,
    route("AddPermission", async (req, res) => {
      const t = target(req, res);
      res.status(201).json({ Statement: await policies.add(t.accountId, t.name, t.qualifier, jsonBody(req)) });
    }),
  );
  r.get(
    BASE,
    route("GetPolicy", async (req, res) => {
      const t = target(req, res);
      const { policy, revisionId } = await policies.get(t.accountId, t.name, t.qualifier);
      res.json({ Policy: policy, RevisionId: revisionId });
    }),
  );
  r.delete(
    `${BASE}/:sid`,
    route("RemovePermission", async (req, res) => {
      const t = target(req, res);
      const revisionId =
        typeof req.query.RevisionId === "string" && req.query.RevisionId ? req.query.RevisionId : undefined;
      await policies.remove(t.accountId, t.name, t.qualifier, String(req.params.sid), revisionId);
      res.status(204).end();
    }),
  );
  return r;
}
