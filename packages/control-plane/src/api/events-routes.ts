// EventBridge's awsJson1_1 operations (signing name `events`, POST / with
// X-Amz-Target: AWSEvents.<Op>) on the Stratus endpoint: only requests signed for
// EventBridge reach them, and they answer in EventBridge's shapes and awsJson errors.
// The events module holds the logic.
import { type Logger, StratusError } from "@stratus/shared";
import { type Request, Router } from "express";
import type { Body } from "../events/events-input.js";
import type { PutEvents } from "../events/put-events.js";
import type { RuleService } from "../events/rule-service.js";
import { callerAccount } from "./auth.js";
import { awsJsonBody } from "./aws-json-body.js";
import { awsJsonErrors } from "./aws-json-errors.js";
import { route } from "./route.js";

const CONTENT_TYPE = "application/x-amz-json-1.1";
const PREFIX = "AWSEvents.";

const body = (req: Request) => awsJsonBody(req) as Body;

export function eventsRoutes(rules: RuleService, events: PutEvents, log: Logger): Router {
  type Op = (account: string, b: Body) => unknown;
  const ops: Record<string, Op> = {
    PutRule: rules.putRule,
    DescribeRule: rules.describeRule,
    ListRules: rules.listRules,
    DeleteRule: rules.deleteRule,
    EnableRule: (a, b) => rules.setState(a, b, "ENABLED"),
    DisableRule: (a, b) => rules.setState(a, b, "DISABLED"),
    PutTargets: rules.putTargets,
    RemoveTargets: rules.removeTargets,
    ListTargetsByRule: rules.listTargetsByRule,
    CreateEventBus: rules.createEventBus,
    DeleteEventBus: rules.deleteEventBus,
    DescribeEventBus: rules.describeEventBus,
    ListEventBuses: rules.listEventBuses,
    PutEvents: events.putEvents,
    TestEventPattern: (_a, b) => events.testEventPattern(b),
  };
  const r = Router();
  // Requests signed for another service go on to its routes.
  r.use((_req, res, next) => (res.locals.service === "events" ? next() : next("router")));
  r.post("/", (req, res, next) => {
    const target = req.get("x-amz-target") ?? "";
    const name = target.startsWith(PREFIX) ? target.slice(PREFIX.length) : "";
    const op = Object.hasOwn(ops, name) ? ops[name] : undefined;
    if (!op) {
      return next(new StratusError("UnknownOperationException", 400, "client", `Unknown operation ${target}`));
    }
    route(name, async () => {
      const out = await op(callerAccount(res.locals), body(req));
      res.type(CONTENT_TYPE).send(JSON.stringify(out));
    })(req, res, next);
  });
  r.use((req, _res, next) =>
    next(new StratusError("UnknownOperationException", 400, "client", `Unknown operation ${req.method} ${req.path}`)),
  );
  r.use(awsJsonErrors(log, CONTENT_TYPE));
  return r;
}
