// Step Functions' awsJson1_0 operations (signing name `states`, POST / with
// X-Amz-Target: AWSStepFunctions.<Op>) on the Stratus endpoint: only requests signed
// for Step Functions reach them, answered in its shapes and awsJson errors. The
// states module holds the logic.
import { type Logger, StratusError } from "@stratus/shared";
import { type Request, Router } from "express";
import type { Body } from "../states/sfn-input.js";
import type { StatesServices } from "../states/start-states.js";
import { callerAccount } from "./auth.js";
import { awsJsonErrors } from "./aws-json-errors.js";
import { jsonBody } from "./body.js";
import { route } from "./route.js";

const CONTENT_TYPE = "application/x-amz-json-1.0";
const PREFIX = "AWSStepFunctions.";

function body(req: Request): Body {
  let v: unknown;
  try {
    v = jsonBody(req);
  } catch (err) {
    throw new StratusError("SerializationException", 400, "client", (err as Error).message);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new StratusError("SerializationException", 400, "client", "The request body must be a JSON object");
  }
  return v as Body;
}

export function statesRoutes({ machines: m, executions: x, sync }: StatesServices, log: Logger): Router {
  type Op = (account: string, b: Body) => unknown;
  const ops: Record<string, Op> = {
    CreateStateMachine: m.createStateMachine,
    DescribeStateMachine: m.describeStateMachine,
    UpdateStateMachine: m.updateStateMachine,
    DeleteStateMachine: m.deleteStateMachine,
    ListStateMachines: m.listStateMachines,
    ValidateStateMachineDefinition: m.validateStateMachineDefinition,
    TagResource: m.tagResource,
    UntagResource: m.untagResource,
    ListTagsForResource: m.listTagsForResource,
    StartExecution: x.startExecution,
    StartSyncExecution: sync,
    DescribeExecution: x.describeExecution,
    ListExecutions: x.listExecutions,
    GetExecutionHistory: x.getExecutionHistory,
    StopExecution: x.stopExecution,
    SendTaskSuccess: x.sendTaskSuccess,
    SendTaskFailure: x.sendTaskFailure,
    SendTaskHeartbeat: x.sendTaskHeartbeat,
  };
  const r = Router();
  // Requests signed for another service go on to its routes.
  r.use((_req, res, next) => (res.locals.service === "states" ? next() : next("router")));
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
