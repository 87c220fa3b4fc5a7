// CloudWatch's metric and alarm API (signing name `monitoring`) on the Stratus endpoint, in
// each protocol its clients speak: awsJson1_0 (POST / with X-Amz-Target
// GraniteServiceVersion20100801.<Op>), Smithy RPC v2 CBOR (POST
// /service/GraniteServiceVersion20100801/operation/<Op>) and awsQuery (POST / with a
// form body, Action=<Op>). Only requests signed for `monitoring` reach it; errors go
// back in the protocol the request came in.
import { headers, type Logger, StratusError } from "@stratus/shared";
import { type ErrorRequestHandler, type Request, type Response, Router } from "express";
import type { AlarmOp } from "../alarms/start-alarms.js";
import type { CloudWatchService } from "../monitoring/cloudwatch-service.js";
import { callerAccount } from "./auth.js";
import { jsonBody, rawBody } from "./body.js";
import { type Encoded, json, type Model, query, rpcCbor, SERVICE_TARGET } from "./cloudwatch-protocols.js";
import { requestIdOf } from "./request-log.js";
import { authorized } from "./session-access.js";

type Protocol = "json" | "cbor" | "query";

function send(res: Response, out: Encoded): void {
  res.status(out.status);
  res.set({ ...out.headers, [headers.requestId]: requestIdOf(res.locals) });
  res.send(out.body);
}

const unknownOp = (name: string) =>
  new StratusError("UnknownOperationException", 400, "client", `Unknown operation ${name.slice(0, 100)}`);

/** `alarms`: the metric alarm operations by name (alarms/start-alarms.ts). */
export function cloudwatchRoutes(service: CloudWatchService, alarms: Record<string, AlarmOp>, log: Logger): Router {
  type Op = (account: string, b: Model) => Promise<Model>;
  const ops: Record<string, Op> = {
    GetMetricStatistics: service.getMetricStatistics,
    GetMetricData: service.getMetricData,
    ListMetrics: service.listMetrics,
    ...alarms,
  };
  const opNamed = (name: string): Op => {
    if (!Object.hasOwn(ops, name)) throw unknownOp(name);
    return ops[name] as Op;
  };

  async function serve(req: Request, res: Response, protocol: Protocol, name: string, input: () => Model) {
    res.locals.cwProtocol = protocol;
    const op = opNamed(name);
    res.locals.operation = `CloudWatch.${name}`;
    // Decoded once: IAM reads the alarm names and ARNs an operation acts on from it.
    const body = input();
    await authorized(res, name, req, () => body);
    const out = await op(callerAccount(res.locals), body);
    if (protocol === "json") send(res, json.encode(out));
    else if (protocol === "cbor") send(res, rpcCbor.encode(out));
    else send(res, query.encode(name, out, requestIdOf(res.locals)));
  }

  const r = Router();
  // Requests signed for another service go on to its routes.
  r.use((_req, res, next) => (res.locals.service === "monitoring" ? next() : next("router")));
  r.post(`/service/${SERVICE_TARGET}/operation/:op`, (req, res, next) => {
    res.locals.cwProtocol = "cbor";
    serve(req, res, "cbor", req.params.op ?? "", () => rpcCbor.decode(rawBody(req))).catch(next);
  });
  r.post("/", (req, res, next) => {
    const target = req.get("x-amz-target");
    if (target !== undefined) {
      res.locals.cwProtocol = "json";
      const prefix = `${SERVICE_TARGET}.`;
      const name = target.startsWith(prefix) ? target.slice(prefix.length) : target;
      return serve(req, res, "json", name, () => json.decode(rawBody(req), () => jsonBody(req))).catch(next);
    }
    res.locals.cwProtocol = "query";
    let decoded: { action: string; input: Model };
    try {
      decoded = query.decode(rawBody(req));
    } catch (err) {
      return next(err);
    }
    serve(req, res, "query", decoded.action, () => decoded.input).catch(next);
  });
  r.use((req, _res, next) => next(unknownOp(`${req.method} ${req.path}`)));
  r.use(cloudwatchErrors(log));
  return r;
}

function cloudwatchErrors(log: Pick<Logger, "warn" | "error">): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const requestId = requestIdOf(res.locals);
    let known = err instanceof StratusError ? err : undefined;
    if (known?.code === "InvalidRequestContentException") {
      known = new StratusError("SerializationException", 400, "client", known.message);
    }
    if (!known) {
      log.error("unexpected error", { requestId, err });
      known = new StratusError("InternalServiceFault", 500, "platform", "An internal error occurred");
    } else if (known.kind === "platform" && known.status >= 500) {
      log.warn(`${known.code}: ${known.message}`, { requestId });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const protocol = res.locals.cwProtocol as Protocol | undefined;
    if (protocol === "cbor") send(res, rpcCbor.error(known));
    else if (protocol === "query") {
      if (known.code === "UnknownOperationException") {
        known = new StratusError("InvalidAction", 400, "client", known.message);
      }
      send(res, query.error(known, requestId));
    } else send(res, json.error(known));
  };
}
