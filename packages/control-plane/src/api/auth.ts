// SigV4 authentication of Lambda API requests: `authenticate` for any node request
// (the invoke fast path) and an Express middleware that records the caller's account
// on res.locals. Keys are cached briefly so a warm invoke costs no database round trip.
import type { IncomingMessage } from "node:http";
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

export type Authenticate = (req: IncomingMessage, body: Buffer) => Promise<AccessKey>;

export function createAuthenticator(store: AccountStore): Authenticate {
  const verify = createSigV4Verifier(cachedKeyLookup(store));
  return (req, body) => {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    return verify({
      method: req.method ?? "GET",
      rawPath: q >= 0 ? raw.slice(0, q) : raw,
      rawQuery: q >= 0 ? raw.slice(q + 1) : "",
      headers: req.headers,
      body,
    });
  };
}

export function sigv4Auth(authenticate: Authenticate): RequestHandler {
  return (req, res, next) => {
    authenticate(req, rawBody(req)).then((key) => {
      res.locals.accountId = key.accountId;
      next();
    }, next);
  };
}

export function callerAccount(locals: Record<string, unknown>): string {
  const id = locals.accountId;
  if (typeof id !== "string") throw new Error("route reached without authentication");
  return id;
}
