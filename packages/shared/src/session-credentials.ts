// Temporary credentials of an execution role, as a function's environment carries
// them (AWS_ACCESS_KEY_ID ASIA..., AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). They
// are stateless: the session token holds the claims (account, role, key id, expiry)
// under an HMAC by a key both control plane and invokers derive from their shared
// internal token, and the secret key is an HMAC of those claims. An invoker mints
// them as it starts a container; the control plane checks the token and derives the
// same secret to verify a request's signature, with no row to store or replicate.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface SessionClaims {
  accountId: string;
  /** The role's ARN. */
  roleArn: string;
  /** The execution environment the credentials were issued to (for the caller's identity ARN). */
  sessionName: string;
  accessKeyId: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
}

const PREFIX = "STRATUS1.";
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** The MAC key of session tokens, derived from the platform's internal token. */
export const sessionKey = (internalToken: string): Buffer =>
  createHmac("sha256", internalToken).update("stratus/session-credentials/v1").digest();

const mac = (key: Buffer, what: string, payload: string) =>
  createHmac("sha256", key).update(`${what}:${payload}`).digest();

function secretOf(key: Buffer, payload: string): string {
  return mac(key, "secret", payload).toString("base64").replace(/[+/=]/g, "A").slice(0, 40);
}

/** New credentials for `claims` (the key id and expiry made here), valid for `ttlMs`. */
export function mintSessionCredentials(
  key: Buffer,
  claims: Omit<SessionClaims, "accessKeyId" | "expiresAt">,
  ttlMs: number,
  now = Date.now(),
): SessionCredentials {
  const accessKeyId = `ASIA${Array.from(randomBytes(16), (b) => KEY_ALPHABET[b % 32]).join("")}`;
  const full: SessionClaims = { ...claims, accessKeyId, expiresAt: now + ttlMs };
  const payload = Buffer.from(JSON.stringify(full)).toString("base64url");
  const sessionToken = `${PREFIX}${payload}.${mac(key, "token", payload).toString("base64url")}`;
  return { accessKeyId, secretAccessKey: secretOf(key, payload), sessionToken, expiresAt: full.expiresAt };
}

export type SessionCheck =
  | { ok: true; claims: SessionClaims; secretAccessKey: string }
  | { ok: false; reason: "invalid" | "expired" };

/** Whether `token` is one this platform minted for `accessKeyId`, and still valid at `now`. */
export function checkSessionToken(key: Buffer, accessKeyId: string, token: string, now = Date.now()): SessionCheck {
  if (!token.startsWith(PREFIX) || token.length > 4096) return { ok: false, reason: "invalid" };
  const [payload, sig] = token.slice(PREFIX.length).split(".");
  if (!payload || !sig) return { ok: false, reason: "invalid" };
  const want = mac(key, "token", payload);
  const got = Buffer.from(sig, "base64url");
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: "invalid" };
  let claims: SessionClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as SessionClaims;
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (claims.accessKeyId !== accessKeyId) return { ok: false, reason: "invalid" };
  if (!(claims.expiresAt > now)) return { ok: false, reason: "expired" };
  return { ok: true, claims, secretAccessKey: secretOf(key, payload) };
}
