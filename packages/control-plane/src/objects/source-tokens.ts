// The tokens object-event sources authenticate with: 32 random bytes shown once at
// registration, stored only as their SHA-256 (a token this long needs no slow hash),
// and compared in constant time. A token arrives however the store can send it:
// MinIO's webhook as "Authorization: Bearer <token>" (or the configured value as-is
// when it already has a scheme), Ceph RGW's HTTP push endpoint as Basic credentials
// taken from the endpoint URL (http://any-user:<token>@host/...).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh source token (base64url, 43 characters). */
export const newSourceToken = () => randomBytes(32).toString("base64url");

export const tokenDigest = (token: string) => createHash("sha256").update(token, "utf8").digest();

/** Whether `token` is the one whose digest is `digest`, in time independent of where they differ. */
export function tokenMatches(token: string, digest: Buffer): boolean {
  const given = tokenDigest(token);
  return given.length === digest.length && timingSafeEqual(given, digest);
}

/** The token an Authorization header carries (Bearer, Basic's password, or a bare token); undefined when none. */
export function presentedToken(authorization: string | undefined): string | undefined {
  const value = authorization?.trim();
  if (!value) return undefined;
  const space = value.indexOf(" ");
  if (space < 0) return ["bearer", "basic"].includes(value.toLowerCase()) ? undefined : value;
  const scheme = value.slice(0, space).toLowerCase();
  const rest = value.slice(space + 1).trim();
  if (scheme === "bearer") return rest || undefined;
  if (scheme === "basic") {
    const decoded = Buffer.from(rest, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}
