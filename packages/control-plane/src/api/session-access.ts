// Enforcement of IAM at the edge: a request signed as an IAM principal (an execution
// role's temporary credentials or an IAM user's key: res.locals.session, auth.ts)
// gets an authorizer on res.locals, which
// route() (and the routers that name operations themselves) call before running the
// operation; it asks the role's policies about the operation's action and resources
// (iam/request-resources.ts). Requests signed with the account's own keys get none
// and run with its full rights.
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Request, RequestHandler, Response } from "express";
import type { Access, Principal, RequestFacts } from "../iam/access.js";
import { askedBy } from "../iam/request-resources.js";
import { callerAccount } from "./auth.js";

/** What policy conditions may ask of a request: the peer's address, whether it came over TLS, the region it was signed for. */
/** The peer's address as Stratus sees it (an IPv4 peer without its IPv6 mapping). */
export const peerAddress = (req: IncomingMessage) => (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");

export const requestFacts = (req: IncomingMessage, region: string): RequestFacts => ({
  sourceIp: peerAddress(req),
  secureTransport: (req.socket as TLSSocket).encrypted === true,
  region,
});

export type Authorize = (operation: string, req: Request, body?: () => Record<string, unknown>) => Promise<void>;

function jsonOf(req: Request): Record<string, unknown> {
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) return {};
  try {
    const v = JSON.parse(req.body.toString("utf8"));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

export function sessionAccess(access: Access, region: string): RequestHandler {
  return (_req, res, next) => {
    const session = res.locals.session as Principal | undefined;
    if (session) {
      const authorize: Authorize = (operation, req, body) => {
        const asked = askedBy({
          service: String(res.locals.service),
          operation,
          path: req.path,
          params: req.params as Record<string, string | undefined>,
          query: req.query as Record<string, unknown>,
          body: body ?? (() => jsonOf(req)),
          accountId: callerAccount(res.locals),
          region,
        });
        return access.check(session, asked.action, asked.resources, requestFacts(req, String(res.locals.signedRegion)));
      };
      res.locals.authorize = authorize;
    }
    next();
  };
}

/** Asks the request's authorizer, if it has one (an IAM principal's request), about `operation`. */
export async function authorized(
  res: Response,
  operation: string,
  req: Request,
  body?: () => Record<string, unknown>,
): Promise<void> {
  const authorize = res.locals.authorize as Authorize | undefined;
  if (authorize) await authorize(operation, req, body);
}
