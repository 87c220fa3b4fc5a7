// CloudWatch Logs' groups, streams and retention policies for one account at a time
// (the reads of events are in log-reads.ts): each operation takes the caller's account
// and the request's body, and answers CloudWatch Logs' shape.
import type { LogEventStore } from "../store/log-event-store.js";
import type { LogGroup, LogStream } from "../store/log-types.js";
import { groupArn, RETENTION_DAYS } from "./log-model.js";
import { tagsOf } from "./log-tags.js";
import {
  alreadyExists,
  type Body,
  bool,
  groupOf,
  int,
  invalidParameter,
  notFound,
  onlyKnown,
  str,
} from "./logs-input.js";
import { nameToken, parseNameToken } from "./page-tokens.js";

const GROUP_MISSING = "The specified log group does not exist.";

interface StreamAfter {
  name: string;
  lastEventAt: number;
}

const isName = (v: unknown): v is string => typeof v === "string";
const isStreamAfter = (v: unknown): v is StreamAfter =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as StreamAfter).name === "string" &&
  Number.isFinite((v as StreamAfter).lastEventAt);

function token<T>(body: Body, valid: (v: unknown) => v is T): T | undefined {
  const t = str(body, "nextToken", 4096);
  if (t === undefined) return undefined;
  const v = parseNameToken(t, valid);
  if (v === undefined) throw invalidParameter("The specified nextToken is invalid.");
  return v;
}

export function createLogsService(store: LogEventStore, region: string) {
  const groupShape = (accountId: string, g: LogGroup) => ({
    logGroupName: g.name,
    creationTime: g.createdAt,
    ...(g.retentionDays !== undefined ? { retentionInDays: g.retentionDays } : {}),
    metricFilterCount: 0,
    arn: `${groupArn(region, accountId, g.name)}:*`,
    storedBytes: g.storedBytes,
    logGroupClass: "STANDARD",
    logGroupArn: groupArn(region, accountId, g.name),
  });
  const streamShape = (accountId: string, group: string, s: LogStream) => ({
    logStreamName: s.name,
    creationTime: s.createdAt,
    // A stream made by CreateLogStream has no events yet: CloudWatch shows no times then.
    ...(s.lastIngestionAt > 0
      ? { firstEventTimestamp: s.firstEventAt, lastEventTimestamp: s.lastEventAt, lastIngestionTime: s.lastIngestionAt }
      : {}),
    arn: `${groupArn(region, accountId, group)}:log-stream:${s.name}`,
    storedBytes: 0,
  });

  /** The group the request names, which must exist. */
  async function existing(accountId: string, body: Body): Promise<string> {
    const group = groupOf(body, accountId) as string;
    if (!(await store.getGroup(accountId, group))) throw notFound(GROUP_MISSING);
    return group;
  }

  return {
    async describeLogGroups(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupNamePrefix", "logGroupNamePattern", "nextToken", "limit", "includeLinkedAccounts"]);
      if (bool(body, "includeLinkedAccounts"))
        throw invalidParameter("includeLinkedAccounts is not supported by Stratus");
      const prefix = str(body, "logGroupNamePrefix", 512);
      const contains = str(body, "logGroupNamePattern", 512);
      if (prefix !== undefined && contains !== undefined) {
        throw invalidParameter("logGroupNamePrefix and logGroupNamePattern cannot both be given");
      }
      const limit = int(body, "limit", 1, 50) ?? 50;
      const after = token(body, isName);
      const groups = await store.listGroups(accountId, { prefix, contains, after, limit: limit + 1 });
      const page = groups.slice(0, limit);
      const last = page[page.length - 1];
      return {
        logGroups: page.map((g) => groupShape(accountId, g)),
        ...(groups.length > limit && last ? { nextToken: nameToken(last.name) } : {}),
      };
    },

    async describeLogStreams(accountId: string, body: Body) {
      onlyKnown(body, [
        "logGroupName",
        "logGroupIdentifier",
        "logStreamNamePrefix",
        "orderBy",
        "descending",
        "nextToken",
        "limit",
      ]);
      const group = await existing(accountId, body);
      const orderBy = str(body, "orderBy", 32) ?? "LogStreamName";
      if (orderBy !== "LogStreamName" && orderBy !== "LastEventTime") {
        throw invalidParameter("orderBy must be LogStreamName or LastEventTime");
      }
      const prefix = str(body, "logStreamNamePrefix", 512);
      if (prefix !== undefined && orderBy === "LastEventTime") {
        throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
      }
      const limit = int(body, "limit", 1, 50) ?? 50;
      const after = token(body, isStreamAfter);
      const streams = await store.listStreams(accountId, group, {
        prefix,
        byLastEvent: orderBy === "LastEventTime",
        descending: bool(body, "descending") ?? false,
        after,
        limit: limit + 1,
      });
      const page = streams.slice(0, limit);
      const last = page[page.length - 1];
      return {
        logStreams: page.map((s) => streamShape(accountId, group, s)),
        ...(streams.length > limit && last
          ? { nextToken: nameToken({ name: last.name, lastEventAt: last.lastEventAt }) }
          : {}),
      };
    },

    async createLogGroup(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupName", "logGroupClass", "tags"]);
      const cls = str(body, "logGroupClass", 32);
      if (cls !== undefined && cls !== "STANDARD")
        throw invalidParameter(`logGroupClass ${cls} is not supported by Stratus`);
      const group = groupOf(body, accountId) as string;
      const tags = tagsOf(body, "tags", false);
      if (!(await store.createGroup(accountId, group, tags))) {
        throw alreadyExists("The specified log group already exists");
      }
      return {};
    },

    async deleteLogGroup(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupName"]);
      if (!(await store.deleteGroup(accountId, groupOf(body, accountId) as string))) throw notFound(GROUP_MISSING);
      return {};
    },

    async putRetentionPolicy(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupName", "retentionInDays"]);
      const group = groupOf(body, accountId) as string;
      const days = body.retentionInDays;
      if (!RETENTION_DAYS.includes(days as (typeof RETENTION_DAYS)[number])) {
        throw invalidParameter(`retentionInDays must be one of ${RETENTION_DAYS.join(", ")}`);
      }
      if (!(await store.setRetention(accountId, group, days as number))) throw notFound(GROUP_MISSING);
      return {};
    },

    async deleteRetentionPolicy(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupName"]);
      if (!(await store.setRetention(accountId, groupOf(body, accountId) as string, undefined)))
        throw notFound(GROUP_MISSING);
      return {};
    },
  };
}

export type LogsService = ReturnType<typeof createLogsService>;
