// CloudWatch Logs' awsJson1_1 operations (signing name `logs`, POST / with
// X-Amz-Target: Logs_20140328.<Op>) on the Stratus endpoint: only requests signed for
// CloudWatch Logs reach them, and they answer in its shapes and awsJson errors. The
// logs module holds the logic.
import { type Logger, StratusError } from "@stratus/shared";
import { Router } from "express";
import type { LogReads } from "../logs/log-reads.js";
import type { Body } from "../logs/logs-input.js";
import type { LogsService } from "../logs/logs-service.js";
import { callerAccount } from "./auth.js";
import { awsJsonBody } from "./aws-json-body.js";
import { awsJsonErrors } from "./aws-json-errors.js";
import { route } from "./route.js";

const CONTENT_TYPE = "application/x-amz-json-1.1";
const PREFIX = "Logs_20140328.";

export function logsRoutes(logs: LogsService, reads: LogReads, log: Logger): Router {
  type Op = (account: string, b: Body) => Promise<unknown>;
  const ops: Record<string, Op> = {
    DescribeLogGroups: logs.describeLogGroups,
    DescribeLogStreams: logs.describeLogStreams,
    CreateLogGroup: logs.createLogGroup,
    DeleteLogGroup: logs.deleteLogGroup,
    PutRetentionPolicy: logs.putRetentionPolicy,
    DeleteRetentionPolicy: logs.deleteRetentionPolicy,
    GetLogEvents: reads.getLogEvents,
    FilterLogEvents: reads.filterLogEvents,
  };
  const r = Router();
  // Requests signed for another service go on to its routes.
  r.use((_req, res, next) => (res.locals.service === "logs" ? next() : next("router")));
  r.post("/", (req, res, next) => {
    const target = req.get("x-amz-target") ?? "";
    const name = target.startsWith(PREFIX) ? target.slice(PREFIX.length) : "";
    const op = Object.hasOwn(ops, name) ? ops[name] : undefined;
    if (!op) {
      return next(new StratusError("UnknownOperationException", 400, "client", `Unknown operation ${target}`));
    }
    route(name, async () => {
      const out = await op(callerAccount(res.locals), awsJsonBody(req));
      res.type(CONTENT_TYPE).send(JSON.stringify(out));
    })(req, res, next);
  });
  r.use((req, _res, next) =>
    next(new StratusError("UnknownOperationException", 400, "client", `Unknown operation ${req.method} ${req.path}`)),
  );
  r.use(awsJsonErrors(log, CONTENT_TYPE));
  return r;
}
