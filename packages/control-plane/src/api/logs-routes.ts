// CloudWatch Logs' awsJson1_1 operations (signing name `logs`, POST / with
// X-Amz-Target: Logs_20140328.<Op>) on the Stratus endpoint: only requests signed for
// CloudWatch Logs reach them, and they answer in its shapes and awsJson errors. The
// logs module holds the logic.
import type { Logger } from "@stratus/shared";
import type { Router } from "express";
import type { LogReads } from "../logs/log-reads.js";
import type { Body } from "../logs/logs-input.js";
import type { LogsService } from "../logs/logs-service.js";
import { awsJsonRouter } from "./aws-json-router.js";

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
  return awsJsonRouter({ signingName: "logs", targetPrefix: PREFIX, contentType: CONTENT_TYPE, ops }, log);
}
