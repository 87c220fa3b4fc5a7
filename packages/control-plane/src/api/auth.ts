// SigV4 authentication of Lambda API requests, at the edge: a request's headers are
// checked (well-formed, fresh, a known key) before a byte of its body is read; the
// body is then read under its operation's cap and the process's budget for unchecked
// bodies, and the signature over it checked. readSigned serves the invoke fast path,
// signedBody the Express app (the caller's account goes on res.locals). Keys are
// cached briefly so a warm invoke costs no database round trip.
import type { IncomingMessage } from "node:http";
import { type ByteBudget, checkSessionToken, readBody, StratusError } from "@stratus/shared";
import type { RequestHandler } from "express";
import type { AccessKey } from "../domain.js";
import { principalOf } from "../iam/access.js";
import type { AccountStore } from "../store/account-store.js";
import { bodyCap } from "./body-caps.js";
import { type Claim, createSigV4Verifier, type SignedHead } from "./sigv4.js";

const KEY_CACHE_MS = 30_000;

/** Every key cache of this process, so a key changed here (made Inactive, deleted) is forgotten at once. */
const keyCaches = new Set<Map<string, unknown>>();

/** Drops key `id` from this process's caches; other control planes forget it within KEY_CACHE_MS. */
export function forgetKey(id: string): void {
  for (const cache of keyCaches) cache.delete(id);
}

/**
 * `sessionKey`: what checks execution roles' temporary credentials (session-credentials.ts
 * in shared); absent, only long-lived keys are known. A temporary key is known by its
 * token alone, so it is never looked up (nor cached).
 */
export function cachedKeyLookup(store: AccountStore, now = Date.now, sessionKey?: Buffer) {
  const cache = new Map<string, { at: number; key: AccessKey | undefined }>();
  keyCaches.add(cache);
  return async (id: string, sessionToken?: string): Promise<AccessKey | undefined> => {
    if (sessionToken !== undefined || id.startsWith("ASIA"))
      return sessionKey && sessionKeyOf(sessionKey, id, sessionToken, now());
    const hit = cache.get(id);
    if (hit && now() - hit.at < KEY_CACHE_MS) return hit.key;
    const key = await store.findAccessKey(id);
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { at: now(), key });
    return key;
  };
}

/** The temporary key `id` with `token`; undefined when the token is not one of ours for it; throws when expired. */
function sessionKeyOf(key: Buffer, id: string, token: string | undefined, now: number): AccessKey | undefined {
  if (token === undefined) return undefined;
  const check = checkSessionToken(key, id, token, now);
  if (!check.ok) {
    if (check.reason === "expired") {
      throw new StratusError(
        "ExpiredTokenException",
        403,
        "client",
        "The security token included in the request is expired",
      );
    }
    return undefined;
  }
  const { accountId, roleArn, sessionName, expiresAt } = check.claims;
  return {
    accessKeyId: id,
    accountId,
    secretAccessKey: check.secretAccessKey,
    session: { roleArn, sessionName, expiresAt },
  };
}

export interface Authenticator {
  /** Reads only the headers: throws (403) unless they carry a well-formed, fresh signature by a known key. */
  precheck(req: IncomingMessage): Promise<Claim>;
  /** Throws (403) unless the claim's signature covers the request with this body. */
  confirm(req: IncomingMessage, claim: Claim, body: Buffer): AccessKey;
}

/** The AWS services whose APIs the endpoint serves, by signing name. */
export const SIGNING_NAMES = [
  "lambda",
  "scheduler",
  "events",
  "secretsmanager",
  "monitoring",
  "logs",
  "states",
  "s3",
  "iam",
  "sqs",
  "sns",
] as const;

/** What a SigV4 signature covers of `req`, before its body: method, raw path and query, headers. */
export function signedHead(req: IncomingMessage): SignedHead {
  const raw = req.url ?? "/";
  const q = raw.indexOf("?");
  return {
    method: req.method ?? "GET",
    rawPath: q >= 0 ? raw.slice(0, q) : raw,
    rawQuery: q >= 0 ? raw.slice(q + 1) : "",
    headers: req.headers,
  };
}

export function createAuthenticator(store: AccountStore, now = Date.now, sessionKey?: Buffer): Authenticator {
  const verifier = createSigV4Verifier(cachedKeyLookup(store, now, sessionKey), SIGNING_NAMES, now);
  return {
    precheck: (req) => verifier.precheck(signedHead(req)),
    confirm: (req, claim, body) => verifier.confirm(signedHead(req), claim, body),
  };
}

/** The request's body and signer: refused before reading unless precheck passes, then read under `maxBytes` and `budget`. */
export async function readSigned(
  req: IncomingMessage,
  auth: Authenticator,
  maxBytes: number,
  budget: ByteBudget,
): Promise<{ key: AccessKey; body: Buffer; service: string; region: string }> {
  const claim = await auth.precheck(req);
  const body = await readBody(req, maxBytes, budget);
  return { key: auth.confirm(req, claim, body), body, service: claim.scope.service, region: claim.scope.region };
}

/** Express: puts the signed body on req.body and the caller's account on res.locals. */
export function signedBody(auth: Authenticator, budget: ByteBudget): RequestHandler {
  return (req, res, next) => {
    readSigned(req, auth, bodyCap(req.method, req.path, req.headers["x-amz-target"]), budget).then(
      ({ key, body, service, region }) => {
        req.body = body;
        res.locals.accountId = key.accountId;
        res.locals.service = service;
        // The region the caller signed for: aws:RequestedRegion in policy conditions.
        res.locals.signedRegion = region;
        // Temporary credentials or a user's key: the role or user the request acts as (access.ts judges it).
        const principal = principalOf(key);
        if (principal) res.locals.session = principal;
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
