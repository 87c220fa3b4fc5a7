// IAM (signing name `iam`) on the Stratus endpoint, in the awsQuery protocol its
// clients speak: POST / with a form body (Action=CreateRole&Version=2010-05-08&...),
// answered in XML in IAM's namespace, errors as awsQuery ErrorResponse documents.
import { headers, type Logger, StratusError } from "@stratus/shared";
import { type ErrorRequestHandler, type Response, Router } from "express";
import type { Principal } from "../iam/access.js";
import type { IamOp } from "../iam/iam-service.js";
import { callerAccount } from "./auth.js";
import { rawBody } from "./body.js";
import { type Encoded, queryCodec } from "./cloudwatch-protocols.js";
import { requestIdOf } from "./request-log.js";
import { authorized } from "./session-access.js";

const iamQuery = queryCodec("https://iam.amazonaws.com/doc/2010-05-08/", "2010-05-08");

function send(res: Response, out: Encoded): void {
  res.status(out.status);
  res.set({ ...out.headers, [headers.requestId]: requestIdOf(res.locals) });
  res.send(out.body);
}

export function iamRoutes(ops: Record<string, IamOp>, log: Pick<Logger, "warn" | "error">): Router {
  const r = Router();
  // Requests signed for another service go on to its routes.
  r.use((_req, res, next) => (res.locals.service === "iam" ? next() : next("router")));
  r.post("/", (req, res, next) => {
    (async () => {
      const { action, input } = iamQuery.decode(rawBody(req));
      const op = Object.hasOwn(ops, action) ? ops[action] : undefined;
      if (!op)
        throw new StratusError("InvalidAction", 400, "client", `Could not find operation ${action.slice(0, 100)}`);
      res.locals.operation = `IAM.${action}`;
      await authorized(res, action, req, () => input);
      send(
        res,
        iamQuery.encode(
          action,
          await op(callerAccount(res.locals), input, res.locals.session as Principal | undefined),
          requestIdOf(res.locals),
        ),
      );
    })().catch(next);
  });
  r.use((req, _res, next) =>
    next(
      new StratusError(
        "InvalidAction",
        400,
        "client",
        `Could not find operation ${req.method} ${req.path.slice(0, 100)}`,
      ),
    ),
  );
  r.use(iamErrors(log));
  return r;
}

function iamErrors(log: Pick<Logger, "warn" | "error">): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const requestId = requestIdOf(res.locals);
    let known = err instanceof StratusError ? err : undefined;
    if (known?.code === "SerializationException" || known?.code === "InvalidParameterValueException") {
      known = new StratusError("ValidationError", 400, "client", known.message);
    }
    if (!known) {
      log.error("unexpected error", { requestId, err });
      known = new StratusError("ServiceFailure", 500, "platform", "An internal error occurred");
    } else if (known.kind === "platform" && known.status >= 500) {
      log.warn(`${known.code}: ${known.message}`, { requestId });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    send(res, iamQuery.error(known, requestId));
  };
}
