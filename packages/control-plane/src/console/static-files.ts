// Serves the console's built files (packages/console/dist) under /console/: hashed
// assets cached for a year, index.html never cached, each compressed once (brotli or
// gzip, as the browser accepts) and kept in memory; index.html (half a kilobyte) is
// sent as it is, with a fresh CSP nonce written in. Only names of the build's shape
// are served, so no path can leave the folder. Every answer carries a strict CSP: the
// page loads nothing but its own files and talks to nothing but this origin.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { RequestHandler, Response } from "express";

/** The page's policy; `nonce` admits the style elements the code editor writes (and nothing else inline). */
export const consoleCsp = (nonce?: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    nonce ? `style-src 'self' 'nonce-${nonce}'` : "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

const NONCE_SLOT = "__CSP_NONCE__";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};
const ASSET = /^\/assets\/[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.(?:js|css|svg|png)$/;

interface Prepared {
  type: string;
  raw: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

export function securityHeaders(res: Response, nonce?: string): void {
  res.set({
    "content-security-policy": consoleCsp(nonce),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
  });
}

/** The encoding to send for an Accept-Encoding header: br, then gzip, else none. */
export function pickEncoding(accept: string | undefined): "br" | "gzip" | undefined {
  const offered = new Map<string, number>();
  for (const part of (accept ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    offered.set(name ?? "", q ? Number(q.slice(2)) : 1);
  }
  if ((offered.get("br") ?? 0) > 0) return "br";
  if ((offered.get("gzip") ?? 0) > 0) return "gzip";
  return undefined;
}

export function staticConsole(dir: string): RequestHandler {
  const cache = new Map<string, Promise<Prepared | undefined>>();
  const load = (rel: string): Promise<Prepared | undefined> => {
    let hit = cache.get(rel);
    if (!hit) {
      hit = readFile(path.join(dir, rel)).then(
        (raw) => {
          const type = TYPES[path.extname(rel)] ?? "application/octet-stream";
          if (type === "image/png") return { type, raw };
          return {
            type,
            raw,
            gzip: gzipSync(raw, { level: 9 }),
            br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
          };
        },
        () => {
          cache.delete(rel); // not built yet: look again next time
          return undefined;
        },
      );
      cache.set(rel, hit);
    }
    return hit;
  };

  return (req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !req.path.startsWith("/console/")) return next();
    const sub = req.path.slice("/console".length);
    const asset = ASSET.test(sub);
    // Any other path is the single page's own (its router reads the hash).
    if (sub.startsWith("/api/")) return next();
    const rel = asset ? sub.slice(1) : sub.startsWith("/assets/") ? undefined : "index.html";
    if (rel === undefined) {
      securityHeaders(res);
      res.status(404).type("text/plain").send("Not found");
      return;
    }
    load(rel).then((file) => {
      // The page gets a nonce of its own on every answer (it is never cached), its assets none.
      const nonce = rel === "index.html" && file ? randomBytes(16).toString("base64") : undefined;
      securityHeaders(res, nonce);
      if (!file) {
        res.status(asset ? 404 : 503).type("text/plain");
        res.send(asset ? "Not found" : "The console is not built: run `pnpm build` (packages/console).");
        return;
      }
      if (nonce) {
        res.set({ "content-type": file.type, "cache-control": "no-cache" });
        res.status(200).send(file.raw.toString("utf8").replaceAll(NONCE_SLOT, nonce));
        return;
      }
      const enc = pickEncoding(req.get("accept-encoding"));
      const body = (enc && file[enc]) ?? file.raw;
      res.set({
        "content-type": file.type,
        "cache-control": asset ? "public, max-age=31536000, immutable" : "no-cache",
        vary: "Accept-Encoding",
      });
      if (enc && file[enc]) res.set("content-encoding", enc);
      res.status(200).send(body);
    }, next);
  };
}
