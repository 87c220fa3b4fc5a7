// A service that speaks only awsQuery on the Stratus endpoint (IAM, SNS): POST / with
// a form body (Action=<Op>&Version=...), answered in XML in the service's namespace,
// errors as awsQuery ErrorResponse documents. Only requests signed for the service's
// signing name reach it.
import { headers, type Logger, StratusError } from "@stratus/shared";
import { type ErrorRequestHandler, type Response, Router } from "express";
import type { Principal } from "../iam/access.js";
import { callerAccount } from "./auth.js";
import { rawBody } from "./body.js";
import type { Encoded, Model, queryCodec } from "./cloudwatch-protocols.js";
import { requestIdOf } from "./request-log.js";
import { authorized } from "./session-access.js";

/** An operation: the caller's account, the decoded input and the IAM principal signing (if one), to the output. */
export type QueryOp = (accountId: string, input: Model, session: Principal | undefined) => Promise<Model>;

export interface QueryService {
  signingName: string;
  /** The operation name's prefix in the access log (`IAM.`, `SNS.`). */
  label: string;
  codec: ReturnType<typeof queryCodec>;
  ops: Record<string, QueryOp>;
  /** The error a client gets for one of Stratus' own (a service names some errors its own way). */
  translate?: (err: StratusError) => StratusError;
  /** The service's error for a failure Stratus did not foresee. */
  internal: () => StratusError;
}

function send(res: Response, out: Encoded): void {
  res.status(out.status);
  res.set({ ...out.headers, [headers.requestId]: requestIdOf(res.locals) });
  res.send(out.body);
}

const noOperation = (name: string) =>
  new StratusError("InvalidAction", 400, "client", `Could not find operation ${name.slice(0, 100)}`);

export function queryRoutes(s: QueryService, log: Pick<Logger, "warn" | "error">): Router {
  const r = Router();
  // Requests signed for another service go on to its routes.
  r.use((_req, res, next) => (res.locals.service === s.signingName ? next() : next("router")));
  r.post("/", (req, res, next) => {
    (async () => {
      const { action, input } = s.codec.decode(rawBody(req));
      const op = Object.hasOwn(s.ops, action) ? s.ops[action] : undefined;
      if (!op) throw noOperation(action);
      res.locals.operation = `${s.label}.${action}`;
      await authorized(res, action, req, () => input);
      const out = await op(callerAccount(res.locals), input, res.locals.session as Principal | undefined);
      send(res, s.codec.encode(action, out, requestIdOf(res.locals)));
    })().catch(next);
  });
  r.use((req, _res, next) => next(noOperation(`${req.method} ${req.path}`)));
  r.use(queryErrors(s, log));
  return r;
}

function queryErrors(s: QueryService, log: Pick<Logger, "warn" | "error">): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const requestId = requestIdOf(res.locals);
    let known = err instanceof StratusError ? err : undefined;
    if (known && s.translate) known = s.translate(known);
    if (!known) {
      log.error("unexpected error", { requestId, err });
      known = s.internal();
    } else if (known.kind === "platform" && known.status >= 500) {
      log.warn(`${known.code}: ${known.message}`, { requestId });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    send(res, s.codec.error(known, requestId));
  };
}
