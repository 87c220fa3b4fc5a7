import { describe, expect, it } from "vitest";
import { checkSessionToken, mintSessionCredentials, sessionKey } from "./session-credentials.js";

const key = sessionKey("internal-token-of-at-least-16");
const claims = { accountId: "111122223333", roleArn: "arn:aws:iam::111122223333:role/r", sessionName: "fn" };

describe("session credentials", () => {
  it("a minted token checks, and gives back the same secret", () => {
    const c = mintSessionCredentials(key, claims, 3_600_000, 1_000);
    expect(c.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    const check = checkSessionToken(key, c.accessKeyId, c.sessionToken, 2_000);
    expect(check).toEqual({
      ok: true,
      claims: { ...claims, accessKeyId: c.accessKeyId, expiresAt: 3_601_000 },
      secretAccessKey: c.secretAccessKey,
    });
  });

  it("is refused past its expiry, for another key id, under another platform key, or altered", () => {
    const c = mintSessionCredentials(key, claims, 1_000, 0);
    expect(checkSessionToken(key, c.accessKeyId, c.sessionToken, 1_000)).toEqual({ ok: false, reason: "expired" });
    expect(checkSessionToken(key, "ASIAAAAAAAAAAAAAAAAA", c.sessionToken, 0)).toEqual({ ok: false, reason: "invalid" });
    expect(checkSessionToken(sessionKey("another-internal-token"), c.accessKeyId, c.sessionToken, 0).ok).toBe(false);
    const [head, payload, sig] = c.sessionToken.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload as string, "base64url").toString()), expiresAt: 9e15 }),
    ).toString("base64url");
    expect(checkSessionToken(key, c.accessKeyId, `${head}.${forged}.${sig}`, 0).ok).toBe(false);
    expect(checkSessionToken(key, c.accessKeyId, "garbage", 0).ok).toBe(false);
  });
});
