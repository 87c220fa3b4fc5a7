// GET /metrics/targets: Prometheus HTTP service discovery (http_sd) of every live
// control-plane replica and invoker node (monitoring/scrape-targets.ts). It names the
// platform's processes and addresses, so it answers only a bearer token equal to
// STRATUS_METRICS_TOKEN (Prometheus's http_sd `authorization`), and is off (404)
// while that is unset.
import { timingSafeEqual } from "node:crypto";
import type { Logger } from "@stratus/shared";
import { Router } from "express";
import type { TargetGroup } from "../monitoring/scrape-targets.js";

export const SCRAPE_TARGETS_PATH = "/metrics/targets";

export interface ScrapeTargetDeps {
  /** STRATUS_METRICS_TOKEN; undefined: the endpoint is off. */
  token: string | undefined;
  targets: () => Promise<TargetGroup[]>;
  log: Logger;
}

/** Whether `header` is `Bearer <token>`, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!m) return false;
  const given = Buffer.from(m[1] as string);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function scrapeTargetRoutes(deps: ScrapeTargetDeps): Router {
  const r = Router();
  r.get(SCRAPE_TARGETS_PATH, (req, res) => {
    if (!deps.token) {
      res.status(404).json({ message: "Service discovery is off: set STRATUS_METRICS_TOKEN to serve it" });
      return;
    }
    if (!bearerMatches(req.get("authorization"), deps.token)) {
      res.status(401).set("www-authenticate", "Bearer").json({ message: "A valid bearer token is required" });
      return;
    }
    deps.targets().then(
      (groups) => res.status(200).json(groups),
      (err: Error) => {
        deps.log.warn("service discovery: could not read the registries", { err });
        res.status(503).json({ message: `The registries are unavailable: ${err.message}` });
      },
    );
  });
  return r;
}
