// Express middleware that authenticates every Lambda API request with SigV4 and
// records the caller's account on res.locals. Keys are cached briefly so that a warm
// invoke costs no database round trip for authentication.
import type { RequestHandler } from "express";
import type { AccessKey } from "../domain.js";
import type { AccountStore } from "../store/account-store.js";
import { rawBody } from "./body.js";
import { createSigV4Verifier } from "./sigv4.js";

const KEY_CACHE_MS = 30_000;

export function cachedKeyLookup(store: AccountStore, now = Date.now) {
  const cache = new Map<string, { at: number; key: AccessKey | undefined }>();
  return async (id: string): Promise<AccessKey | undefined> => {
    const hit = cache.get(id);
    if (hit && now() - hit.at < KEY_CACHE_MS) return hit.key;
    const key = await store.findAccessKey(id);
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { at: now(), key });
    return key;
  };
}

export function sigv4Auth(store: AccountStore): RequestHandler {
  const verify = createSigV4Verifier(cachedKeyLookup(store));
  return (req, res, next) => {
    const url = new URL(req.originalUrl, "http://local");
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    verify({ method: req.method, rawPath: url.pathname, query, headers: req.headers, body: rawBody(req) }).then(
      (key) => {
        res.locals.accountId = key.accountId;
        next();
      },
      next,
    );
  };
}

export function callerAccount(locals: Record<string, unknown>): string {
  const id = locals.accountId;
  if (typeof id !== "string") throw new Error("route reached without authentication");
  return id;
}
