// SQS on the Stratus endpoint (signing name `sqs`), in both protocols its clients
// speak: awsJson1_0 (X-Amz-Target: AmazonSQS.<Op>; current SDKs and botocore) and
// awsQuery (a form with Action=<Op>, XML answers; older CLIs). Either may be posted to
// `/` or to a queue URL's path. Errors go back in the request's protocol; the JSON
// ones carry the awsQuery code in x-amzn-query-error, as SQS (awsQueryCompatible) does.
import { headers, type Logger, StratusError } from "@stratus/shared";
import { type ErrorRequestHandler, type Request, type Response, Router } from "express";
import type { Model } from "../sqs/params.js";
import type { SqsOp } from "../sqs/queue-service.js";
import { queryCode } from "../sqs/sqs-errors.js";
import { decodeQuery, encodeQuery, encodeQueryError } from "../sqs/sqs-query.js";
import { callerAccount } from "./auth.js";
import { rawBody } from "./body.js";
import { requestIdOf } from "./request-log.js";

const JSON_TYPE = "application/x-amz-json-1.0";
const TARGET_PREFIX = "AmazonSQS.";
const SHAPE_PREFIX = "com.amazonaws.sqs#";

const invalidAction = (name: string) =>
  new StratusError("InvalidAction", 400, "client", `The action ${name.slice(0, 100)} is not valid for this endpoint.`);

function parseJson(req: Request): Model {
  const buf = rawBody(req);
  if (buf.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(buf.toString("utf8"));
  } catch {
    throw new StratusError("SerializationException", 400, "client", "The request body is not valid JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new StratusError("SerializationException", 400, "client", "The request body must be a JSON object");
  }
  return v as Model;
}

/** The endpoint the request came to, which queue URLs are written under. */
const endpointOf = (req: Request) => `${req.protocol}://${req.get("host") ?? "localhost"}`;

export function sqsRoutes(ops: Record<string, SqsOp> | undefined, log: Logger): Router {
  const r = Router();
  // Requests signed for another service go on to its routes.
  r.use((_req, res, next) => (res.locals.service === "sqs" ? next() : next("router")));
  r.post(/.*/, (req, res, next) => {
    const target = req.get("x-amz-target");
    const isJson = target !== undefined || (req.get("content-type") ?? "").startsWith(JSON_TYPE);
    res.locals.sqsProtocol = isJson ? "json" : "query";
    let name: string;
    let input: Model;
    try {
      if (isJson) {
        name = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : (target ?? "");
        input = parseJson(req);
      } else {
        ({ action: name, input } = decodeQuery(rawBody(req).toString("utf8")));
      }
    } catch (err) {
      return next(err);
    }
    const op = ops && Object.hasOwn(ops, name) ? ops[name] : undefined;
    if (!op) return next(invalidAction(name));
    res.locals.operation = `SQS.${name}`;
    // A long poll whose client went away claims nothing more.
    const aborted = new AbortController();
    res.on("close", () => aborted.abort());
    op(callerAccount(res.locals), input, { endpoint: endpointOf(req), signal: aborted.signal }).then((out) => {
      if (res.writableEnded || aborted.signal.aborted) return;
      res.set(headers.requestId, requestIdOf(res.locals));
      if (isJson) res.type(JSON_TYPE).send(JSON.stringify(out));
      else res.type("text/xml").send(encodeQuery(name, out, requestIdOf(res.locals)));
    }, next);
  });
  r.use((req, _res, next) => next(invalidAction(`${req.method} ${req.path}`)));
  r.use(sqsErrors(log));
  return r;
}

function sqsErrors(log: Pick<Logger, "warn" | "error">): ErrorRequestHandler {
  return (err, _req, res: Response, _next) => {
    const requestId = requestIdOf(res.locals);
    let known = err instanceof StratusError ? err : undefined;
    if (!known) {
      log.error("unexpected error", { requestId, err });
      known = new StratusError("InternalError", 500, "platform", "We encountered an internal error. Please try again.");
    } else if (known.kind === "platform" && known.status >= 500) {
      log.warn(`${known.code}: ${known.message}`, { requestId });
    }
    if (res.headersSent) return void res.destroy();
    const fault = known.status >= 500 ? "Receiver" : "Sender";
    res.status(known.status).set(headers.requestId, requestId);
    if (res.locals.sqsProtocol === "query") {
      res.type("text/xml").send(encodeQueryError(known, requestId));
      return;
    }
    res.set(headers.errorType, known.code);
    res.set("x-amzn-query-error", `${queryCode(known)};${fault}`);
    res.type(JSON_TYPE).send(JSON.stringify({ __type: `${SHAPE_PREFIX}${known.code}`, message: known.message }));
  };
}
