import { checkSessionToken, type InvokeSpec, sessionKey } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { createIdentity } from "./function-identity.js";

const TOKEN = "internal-token-of-at-least-16";
const spec = (over: Partial<InvokeSpec> = {}) =>
  ({ accountId: "111122223333", functionName: "f", timeoutSeconds: 30, environment: {}, ...over }) as InvokeSpec;

describe("createIdentity", () => {
  const identity = createIdentity({ endpoint: "http://10.0.0.1:9", internalToken: TOKEN, ttlMs: 3_600_000 });

  it("gives a function without a role the endpoints only", () => {
    const out = identity(spec(), 0);
    expect(out.retireAt).toBeUndefined();
    expect(out.env.AWS_ENDPOINT_URL_LAMBDA).toBe("http://10.0.0.1:9");
    expect(out.env.AWS_ENDPOINT_URL_SECRETS_MANAGER).toBe("http://10.0.0.1:9");
    expect(out.env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(out.env.AWS_ENDPOINT_URL).toBeUndefined();
  });

  it("keeps an endpoint the function sets itself", () => {
    const out = identity(spec({ environment: { AWS_ENDPOINT_URL_LAMBDA: "http://mine" } }), 0);
    expect(out.env.AWS_ENDPOINT_URL_LAMBDA).toBeUndefined();
  });

  it("mints credentials the control plane accepts for the role, retired before they could expire mid-invocation", () => {
    const roleArn = "arn:aws:iam::111122223333:role/r";
    const out = identity(spec({ roleArn }), 1_000);
    expect(out.retireAt).toBe(1_000 + 3_600_000 - 30_000 - 60_000);
    const check = checkSessionToken(
      sessionKey(TOKEN),
      out.env.AWS_ACCESS_KEY_ID as string,
      out.env.AWS_SESSION_TOKEN as string,
      2_000,
    );
    expect(check).toMatchObject({ ok: true, claims: { roleArn, accountId: "111122223333", sessionName: "f" } });
    expect(check.ok && check.secretAccessKey).toBe(out.env.AWS_SECRET_ACCESS_KEY);
  });
});
