// Time-limited download links for GetFunction's Code.Location: an HMAC over the code
// digest and expiry time, keyed by a platform secret, checked without SigV4 (like a
// presigned S3 URL). Links expire after ten minutes, as Lambda's do.
import { createHmac, timingSafeEqual } from "node:crypto";
import { errors } from "@stratus/shared";
import { Router } from "express";
import type { FunctionService } from "../services/function-service.js";
import { route } from "./route.js";

export const CODE_PATH = "/2015-03-31/code";
const TTL_MS = 10 * 60 * 1000;

function signature(secret: string, sha: string, expires: number): string {
  return createHmac("sha256", secret).update(`${sha}:${expires}`).digest("hex");
}

export function codeLocation(secret: string, baseUrl: string, sha: string, now = Date.now()): string {
  const expires = now + TTL_MS;
  return `${baseUrl}${CODE_PATH}/${sha}?Expires=${expires}&Signature=${signature(secret, sha, expires)}`;
}

export function codeLinkRoutes(functions: FunctionService, secret: string): Router {
  const r = Router();
  r.get(
    `${CODE_PATH}/:sha`,
    route("DownloadCode", async (req, res) => {
      const sha = String(req.params.sha);
      const expires = Number(req.query.Expires);
      const given = Buffer.from(String(req.query.Signature ?? ""));
      const expected = Buffer.from(signature(secret, sha, expires));
      if (!Number.isFinite(expires) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw errors.invalidSignature("The code link is not valid");
      }
      if (Date.now() > expires) throw errors.invalidSignature("The code link has expired");
      const zip = await functions.getCode(sha);
      if (!zip) throw errors.notFound("The code no longer exists");
      res.type("application/zip").send(zip);
    }),
  );
  return r;
}
