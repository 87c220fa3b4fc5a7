// CloudWatch Logs' stream writes for one account at a time: CreateLogStream,
// DeleteLogStream and PutLogEvents, with CloudWatch's limits (10,000 events and
// 1,048,576 bytes a call counting 26 bytes each, 24 hours a call, chronological
// order) and its rejections (more than 2 hours ahead, older than 14 days or than the
// group's retention), which are answered by index and not stored.
import type { LogEventStore } from "../store/log-event-store.js";
import { eventBytes } from "../store/log-types.js";
import {
  alreadyExists,
  type Body,
  groupOf,
  invalidParameter,
  isObject,
  notFound,
  onlyKnown,
  str,
  streamName,
} from "./logs-input.js";

const MAX_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_EVENT_BYTES = 262_144;
const DAY_MS = 86_400_000;
const AHEAD_MS = 2 * 3_600_000;
const TOO_OLD_MS = 14 * DAY_MS;

/** The events of a PutLogEvents call, checked; throws InvalidParameterException for the whole call. */
function logEvents(v: unknown): { timestamp: number; message: string }[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_EVENTS) {
    throw invalidParameter(`logEvents must hold 1 to ${MAX_EVENTS} events`);
  }
  let bytes = 0;
  const events = v.map((e, i) => {
    if (!isObject(e) || !Number.isSafeInteger(e.timestamp) || (e.timestamp as number) < 0) {
      throw invalidParameter(`logEvents.${i + 1}.timestamp must be milliseconds since the epoch`);
    }
    if (typeof e.message !== "string" || e.message.length === 0) {
      throw invalidParameter(`logEvents.${i + 1}.message must be a non-empty string`);
    }
    if (Buffer.byteLength(e.message) > MAX_EVENT_BYTES) {
      throw invalidParameter(`logEvents.${i + 1}.message is over ${MAX_EVENT_BYTES} bytes`);
    }
    bytes += eventBytes(e.message);
    return { timestamp: e.timestamp as number, message: e.message };
  });
  if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`The batch is over ${MAX_BATCH_BYTES} bytes`);
  for (let i = 1; i < events.length; i++) {
    if ((events[i]?.timestamp as number) < (events[i - 1]?.timestamp as number)) {
      throw invalidParameter("Log events in a single PutLogEvents request must be in chronological order.");
    }
  }
  if ((events.at(-1)?.timestamp as number) - (events[0]?.timestamp as number) > DAY_MS) {
    throw invalidParameter("Log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
  return events;
}

export function createLogStreams(store: LogEventStore, now = Date.now) {
  /** The group and stream the request names; the group must exist. */
  async function named(accountId: string, body: Body) {
    const group = groupOf(body, accountId) as string;
    const stream = streamName(str(body, "logStreamName", 512));
    const g = await store.getGroup(accountId, group);
    if (!g) throw notFound("The specified log group does not exist.");
    return { group: g, stream };
  }

  return {
    async createLogStream(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupName", "logGroupIdentifier", "logStreamName"]);
      const { group, stream } = await named(accountId, body);
      const made = await store.createStream(accountId, group.name, stream);
      if (made === undefined) throw notFound("The specified log group does not exist.");
      if (!made) throw alreadyExists("The specified log stream already exists");
      return {};
    },

    async deleteLogStream(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupName", "logGroupIdentifier", "logStreamName"]);
      const { group, stream } = await named(accountId, body);
      if (!(await store.deleteStream(accountId, group.name, stream)))
        throw notFound("The specified log stream does not exist.");
      return {};
    },

    async putLogEvents(accountId: string, body: Body) {
      // sequenceToken is accepted and ignored, as CloudWatch Logs now does.
      onlyKnown(body, ["logGroupName", "logGroupIdentifier", "logStreamName", "logEvents", "sequenceToken", "entity"]);
      if (body.entity !== undefined) throw invalidParameter("entity is not supported by Stratus");
      const events = logEvents(body.logEvents);
      const { group, stream } = await named(accountId, body);
      if (!(await store.getStream(accountId, group.name, stream)))
        throw notFound("The specified log stream does not exist.");
      const at = now();
      const expiredBefore = group.retentionDays === undefined ? undefined : at - group.retentionDays * DAY_MS;
      const rejected: Record<string, number> = {};
      const kept = events.filter((e, i) => {
        if (e.timestamp > at + AHEAD_MS) {
          rejected.tooNewLogEventStartIndex ??= i;
          return false;
        }
        if (e.timestamp < at - TOO_OLD_MS) {
          rejected.tooOldLogEventEndIndex = i;
          return false;
        }
        if (expiredBefore !== undefined && e.timestamp < expiredBefore) {
          rejected.expiredLogEventEndIndex = i;
          return false;
        }
        return true;
      });
      await store.append([{ accountId, group: group.name, stream, events: kept }], undefined, at);
      return Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {};
    },
  };
}

export type LogStreams = ReturnType<typeof createLogStreams>;
