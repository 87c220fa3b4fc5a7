// The console's calls ride on the same routes as the AWS API: a request that carries
// no SigV4 signature but a console session cookie is authenticated by that session
// (and its CSRF header) instead, so every operation the console uses is served by the
// very handlers and services the AWS CLI reaches. `x-stratus-service` names the
// service the call is for, as a SigV4 credential scope would.
import type { IncomingMessage } from "node:http";
import { errors } from "@stratus/shared";
import { type Authenticator, SIGNING_NAMES } from "../api/auth.js";
import type { Claim } from "../api/sigv4.js";
import { CSRF_COOKIE, CSRF_HEADER, parseCookies, SESSION_COOKIE } from "./session-tokens.js";
import type { Sessions } from "./sessions.js";

export const SERVICE_HEADER = "x-stratus-service";

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** True when the request is signed (header or presigned query): SigV4 decides, never a cookie. */
function signed(req: IncomingMessage): boolean {
  if (req.headers.authorization !== undefined) return true;
  const q = (req.url ?? "").indexOf("?");
  return q >= 0 && /(?:^|&)X-Amz-(?:Credential|Signature)=/i.test((req.url ?? "").slice(q + 1));
}

export function withConsoleSessions(inner: Authenticator, sessions: Sessions, region: string): Authenticator {
  const ours = new WeakSet<Claim>();
  return {
    async precheck(req) {
      const cookies = parseCookies(one(req.headers.cookie));
      const token = cookies.get(SESSION_COOKIE);
      if (signed(req) || !token) return inner.precheck(req);
      const session = await sessions.check(token, cookies.get(CSRF_COOKIE), one(req.headers[CSRF_HEADER]));
      const service = one(req.headers[SERVICE_HEADER]) ?? "lambda";
      if (!(SIGNING_NAMES as readonly string[]).includes(service)) {
        throw errors.invalidParameter(`${SERVICE_HEADER} names no service Stratus serves`);
      }
      const claim: Claim = {
        // A session never holds the key's secret: nothing past authentication needs it.
        key: { accessKeyId: session.accessKeyId, accountId: session.accountId, secretAccessKey: "" },
        scope: { service, region, amzDate: "" },
        signedHeaders: {},
        signature: "",
      };
      ours.add(claim);
      return claim;
    },
    confirm(req, claim, body) {
      return ours.has(claim) ? claim.key : inner.confirm(req, claim, body);
    },
  };
}
