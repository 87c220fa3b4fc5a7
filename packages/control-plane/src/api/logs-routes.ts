// CloudWatch Logs' awsJson1_1 operations (signing name `logs`, POST / with
// X-Amz-Target: Logs_20140328.<Op>) on the Stratus endpoint: only requests signed for
// CloudWatch Logs reach them, and they answer in its shapes and awsJson errors.
// StartLiveTail answers as an event stream (live-tail-route.ts). The logs module holds the logic.
import type { Logger } from "@stratus/shared";
import { Router } from "express";
import type { LiveTail } from "../logs/live-tail.js";
import type { LogReads } from "../logs/log-reads.js";
import type { LogStreams } from "../logs/log-streams.js";
import type { LogTags } from "../logs/log-tags.js";
import type { Body } from "../logs/logs-input.js";
import type { LogsService } from "../logs/logs-service.js";
import { awsJsonErrors } from "./aws-json-errors.js";
import { awsJsonRouter } from "./aws-json-router.js";
import { liveTailRoute } from "./live-tail-route.js";

const CONTENT_TYPE = "application/x-amz-json-1.1";
const PREFIX = "Logs_20140328.";

export function logsRoutes(
  logs: { service: LogsService; streams: LogStreams; reads: LogReads; liveTail: LiveTail; tags: LogTags },
  log: Logger,
): Router {
  type Op = (account: string, b: Body) => Promise<unknown>;
  const { service, streams, reads, tags } = logs;
  const ops: Record<string, Op> = {
    DescribeLogGroups: service.describeLogGroups,
    DescribeLogStreams: service.describeLogStreams,
    CreateLogGroup: service.createLogGroup,
    DeleteLogGroup: service.deleteLogGroup,
    PutRetentionPolicy: service.putRetentionPolicy,
    DeleteRetentionPolicy: service.deleteRetentionPolicy,
    CreateLogStream: streams.createLogStream,
    DeleteLogStream: streams.deleteLogStream,
    PutLogEvents: streams.putLogEvents,
    GetLogEvents: reads.getLogEvents,
    FilterLogEvents: reads.filterLogEvents,
    ListTagsForResource: tags.listTagsForResource,
    TagResource: tags.tagResource,
    UntagResource: tags.untagResource,
    ListTagsLogGroup: tags.listTagsLogGroup,
    TagLogGroup: tags.tagLogGroup,
    UntagLogGroup: tags.untagLogGroup,
  };
  const r = Router();
  r.use(liveTailRoute(logs.liveTail));
  r.use(awsJsonRouter({ signingName: "logs", targetPrefix: PREFIX, contentType: CONTENT_TYPE, ops }, log));
  // StartLiveTail's errors before its stream begins.
  r.use(awsJsonErrors(log, CONTENT_TYPE));
  return r;
}
