// The console session's wire pieces, as pure functions: the random token a session
// cookie carries (stored only as its hash), the CSRF token derived from it for the
// double-submit check, and the Set-Cookie lines that carry both.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "stratus_session";
export const CSRF_COOKIE = "stratus_csrf";
export const CSRF_HEADER = "x-stratus-csrf";

export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

export function tokenHash(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** The CSRF token bound to a session: readable by the page (a cookie without HttpOnly), never by another site. */
export function csrfFor(token: string): string {
  return createHmac("sha256", token).update("stratus-console-csrf").digest("base64url");
}

/** True when the header echoes the CSRF cookie and both are the session's own token. */
export function csrfMatches(token: string, cookie: string | undefined, header: string | undefined): boolean {
  if (cookie === undefined || header === undefined) return false;
  const want = Buffer.from(csrfFor(token));
  const a = Buffer.from(cookie);
  const b = Buffer.from(header);
  return a.length === want.length && b.length === want.length && timingSafeEqual(a, want) && timingSafeEqual(b, want);
}

/** The cookies of a Cookie header, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name !== "" && !out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export interface CookieOptions {
  maxAgeSeconds: number;
  /** Sent only over TLS: set when the console is reached over https. */
  secure: boolean;
}

/** The session cookie (HttpOnly) and its CSRF companion (readable by the page), both SameSite=Strict. */
export function sessionCookies(token: string, o: CookieOptions): string[] {
  const tail = `Path=/; Max-Age=${o.maxAgeSeconds}; SameSite=Strict${o.secure ? "; Secure" : ""}`;
  return [`${SESSION_COOKIE}=${token}; HttpOnly; ${tail}`, `${CSRF_COOKIE}=${csrfFor(token)}; ${tail}`];
}

export function clearedCookies(secure: boolean): string[] {
  const tail = `Path=/; Max-Age=0; SameSite=Strict${secure ? "; Secure" : ""}`;
  return [`${SESSION_COOKIE}=; HttpOnly; ${tail}`, `${CSRF_COOKIE}=; ${tail}`];
}
