import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import type { Authenticator } from "../api/auth.js";
import type { Claim } from "../api/sigv4.js";
import { withConsoleSessions } from "./session-auth.js";
import { csrfFor } from "./session-tokens.js";
import type { Sessions } from "./sessions.js";

const sigv4Claim = { key: { accessKeyId: "SIG", accountId: "111111111111", secretAccessKey: "x" } } as Claim;
const inner: Authenticator = {
  precheck: async () => sigv4Claim,
  confirm: (_req, claim) => {
    if (claim !== sigv4Claim) throw new Error("not a signature claim");
    return claim.key;
  },
};
const sessions: Sessions = {
  ttlSeconds: 60,
  signIn: async () => {
    throw new Error("unused");
  },
  check: async (token, cookie, header) => {
    if (token !== "tok") throw Object.assign(new Error("no session"), { status: 401 });
    if (cookie !== csrfFor("tok") || header !== cookie) throw Object.assign(new Error("csrf"), { status: 403 });
    return { accountId: "222222222222", accessKeyId: "AKIASESSION", expiresAt: new Date(0) };
  },
  signOut: async () => undefined,
};
const auth = withConsoleSessions(inner, sessions, "us-east-1");
const req = (headers: Record<string, string>, url = "/2015-03-31/functions") => ({ headers, url }) as IncomingMessage;
const csrf = csrfFor("tok");
const withSession = (extra: Record<string, string> = {}) =>
  req({ cookie: `stratus_session=tok; stratus_csrf=${csrf}`, "x-stratus-csrf": csrf, ...extra });

describe("console sessions in place of a signature", () => {
  it("authenticates a session request as its key's account, for the service it names", async () => {
    const claim = await auth.precheck(withSession({ "x-stratus-service": "monitoring" }));
    expect(claim.scope.service).toBe("monitoring");
    expect(auth.confirm(withSession(), claim, Buffer.alloc(0))).toEqual({
      accessKeyId: "AKIASESSION",
      accountId: "222222222222",
      secretAccessKey: "",
    });
    expect((await auth.precheck(withSession())).scope.service).toBe("lambda");
  });

  it.each([
    ["a signed request, cookie or not", { authorization: "AWS4-HMAC-SHA256 ...", cookie: "stratus_session=tok" }, "/"],
    ["a presigned one", { cookie: "stratus_session=tok" }, "/x?X-Amz-Credential=a&X-Amz-Signature=b"],
    ["a request without a session cookie", {}, "/"],
  ])("leaves %s to SigV4", async (_n, headers, url) => {
    expect(await auth.precheck(req(headers, url))).toBe(sigv4Claim);
  });

  it("refuses a session request without its CSRF header, or naming an unknown service", async () => {
    await expect(auth.precheck(req({ cookie: `stratus_session=tok; stratus_csrf=${csrf}` }))).rejects.toMatchObject({
      status: 403,
    });
    await expect(auth.precheck(withSession({ "x-stratus-service": "kinesis" }))).rejects.toMatchObject({
      code: "InvalidParameterValueException",
    });
  });

  it("never takes a forged claim for a session's", () => {
    const forged = { ...sigv4Claim, key: { accessKeyId: "AKIASESSION", accountId: "2", secretAccessKey: "" } } as Claim;
    expect(() => auth.confirm(withSession(), forged, Buffer.alloc(0))).toThrow("not a signature claim");
  });
});
