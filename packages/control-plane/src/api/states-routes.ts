// Step Functions' awsJson1_0 operations (signing name `states`, POST / with
// X-Amz-Target: AWSStepFunctions.<Op>) on the Stratus endpoint: only requests signed
// for Step Functions reach them, answered in its shapes and awsJson errors. The
// states module holds the logic.
import type { Logger } from "@stratus/shared";
import type { Router } from "express";
import type { Body } from "../states/sfn-input.js";
import type { StatesServices } from "../states/start-states.js";
import { awsJsonRouter } from "./aws-json-router.js";

const CONTENT_TYPE = "application/x-amz-json-1.0";
const PREFIX = "AWSStepFunctions.";

export function statesRoutes({ machines: m, executions: x, sync }: StatesServices, log: Logger): Router {
  type Op = (account: string, b: Body) => unknown;
  const ops: Record<string, Op> = {
    CreateStateMachine: m.createStateMachine,
    DescribeStateMachine: m.describeStateMachine,
    UpdateStateMachine: m.updateStateMachine,
    DeleteStateMachine: m.deleteStateMachine,
    ListStateMachines: m.listStateMachines,
    ListStateMachineVersions: m.listStateMachineVersions,
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
  return awsJsonRouter({ signingName: "states", targetPrefix: PREFIX, contentType: CONTENT_TYPE, ops }, log);
}
