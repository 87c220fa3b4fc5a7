// Console sign-in: an access key id and its secret, checked against the stored key
// as SigV4 verification does (the same key, compared in constant time), become a
// short-lived session; a request then proves its session by the HttpOnly cookie and,
// against cross-site requests, by echoing the CSRF cookie in a header.
import { timingSafeEqual } from "node:crypto";
import { StratusError } from "@stratus/shared";
import type { AccessKey } from "../domain.js";
import type { ConsoleStore } from "./console-store.js";
import { csrfMatches, newSessionToken, tokenHash } from "./session-tokens.js";

export interface SignedIn {
  token: string;
  accountId: string;
  accessKeyId: string;
  expiresAt: Date;
}

export interface Session {
  accountId: string;
  accessKeyId: string;
  expiresAt: Date;
}

export interface Sessions {
  readonly ttlSeconds: number;
  /** Throws 401 InvalidCredentialsException unless the secret is the key's. */
  signIn(accessKeyId: string, secret: string): Promise<SignedIn>;
  /** The live session of `token`; throws 401 (no or ended session) or 403 (CSRF check failed). */
  check(token: string | undefined, csrfCookie: string | undefined, csrfHeader: string | undefined): Promise<Session>;
  signOut(token: string): Promise<void>;
}

export const sessionErrors = {
  badCredentials: () =>
    new StratusError(
      "InvalidCredentialsException",
      401,
      "client",
      "The access key id or secret access key is not correct",
    ),
  noSession: () =>
    new StratusError("SessionExpiredException", 401, "client", "The console session has ended: sign in again"),
  badCsrf: () =>
    new StratusError("InvalidCsrfTokenException", 403, "client", "The request's CSRF token does not match its session"),
};

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createSessions(
  store: ConsoleStore,
  findKey: (id: string) => Promise<AccessKey | undefined>,
  ttlSeconds: number,
  now = Date.now,
): Sessions {
  return {
    ttlSeconds,
    async signIn(accessKeyId, secret) {
      // Bounded before the lookup: a megabyte of "key id" is not a key id.
      if (accessKeyId.length > 128 || secret.length > 256) throw sessionErrors.badCredentials();
      const key = await findKey(accessKeyId);
      if (!key || !sameSecret(key.secretAccessKey, secret)) throw sessionErrors.badCredentials();
      const token = newSessionToken();
      const expiresAt = new Date(now() + ttlSeconds * 1000);
      await store.createSession(tokenHash(token), key.accessKeyId, expiresAt);
      return { token, accountId: key.accountId, accessKeyId: key.accessKeyId, expiresAt };
    },
    async check(token, csrfCookie, csrfHeader) {
      if (!token) throw sessionErrors.noSession();
      const row = await store.findSession(tokenHash(token));
      if (!row || row.expiresAt.getTime() <= now()) throw sessionErrors.noSession();
      if (!csrfMatches(token, csrfCookie, csrfHeader)) throw sessionErrors.badCsrf();
      return row;
    },
    async signOut(token) {
      await store.deleteSession(tokenHash(token));
    },
  };
}
