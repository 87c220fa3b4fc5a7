// One AWS JSON-protocol service on the Stratus endpoint (awsJson1_0/1_1: POST / with
// X-Amz-Target: <prefix><Op>). Only requests signed for the service reach it; the
// operation the target names runs with the caller's account and the request's JSON
// object, answered in the protocol's content type, its errors by aws-json-errors.ts.
import { type Logger, StratusError } from "@stratus/shared";
import { type Request, Router } from "express";
import { callerAccount } from "./auth.js";
import { awsJsonBody } from "./aws-json-body.js";
import { awsJsonErrors } from "./aws-json-errors.js";
import { route } from "./route.js";

export type AwsJsonBody = Record<string, unknown>;
export type AwsJsonOp = (account: string, body: AwsJsonBody) => unknown;

export interface AwsJsonService {
  /** The SigV4 signing name its requests carry (auth.ts SIGNING_NAMES). */
  signingName: string;
  /** What X-Amz-Target holds before the operation's name, e.g. "AWSEvents.". */
  targetPrefix: string;
  contentType: "application/x-amz-json-1.0" | "application/x-amz-json-1.1";
  ops: Record<string, AwsJsonOp>;
  /** Reads the body (default awsJsonBody); a service whose bodies hold secrets reads them without quoting. */
  body?: (req: Request) => AwsJsonBody;
}

const unknownOperation = (what: string) =>
  new StratusError("UnknownOperationException", 400, "client", `Unknown operation ${what}`);

export function awsJsonRouter(svc: AwsJsonService, log: Logger): Router {
  const { signingName, targetPrefix, contentType, ops, body = awsJsonBody } = svc;
  const r = Router();
  // Requests signed for another service go on to its routes.
  r.use((_req, res, next) => (res.locals.service === signingName ? next() : next("router")));
  r.post("/", (req, res, next) => {
    const target = req.get("x-amz-target") ?? "";
    const name = target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : "";
    const op = Object.hasOwn(ops, name) ? ops[name] : undefined;
    if (!op) return next(unknownOperation(target));
    route(name, async () => {
      const out = await op(callerAccount(res.locals), body(req));
      res.type(contentType).send(JSON.stringify(out));
    })(req, res, next);
  });
  r.use((req, _res, next) => next(unknownOperation(`${req.method} ${req.path}`)));
  r.use(awsJsonErrors(log, contentType));
  return r;
}
