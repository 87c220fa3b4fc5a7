// A log group's tags: CloudWatch Logs' ListTagsForResource, TagResource and
// UntagResource (by the group's ARN, as Terraform's aws_cloudwatch_log_group reads them
// after every create and refresh) and the older ListTagsLogGroup, TagLogGroup and
// UntagLogGroup (by name), over one map per group; CreateLogGroup sets the first.
import type { LogGroupTags } from "../store/log-group-tags.js";
import { MAX_LOG_GROUP_TAGS } from "../store/log-group-tags.js";
import { TAG_KEY, TAG_VALUE } from "../tag-text.js";
import { GROUP_NAME } from "./log-model.js";
import { type Body, groupOf, invalidParameter, isObject, notFound, onlyKnown, str } from "./logs-input.js";

const GROUP_MISSING = "The specified log group does not exist.";
const ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(:\*)?$/;

/** A tags map as CloudWatch Logs takes it (`field` of `body`), checked; no prototype, so __proto__ is a key like any other. */
export function tagsOf(body: Body, field: string, required: boolean): Record<string, string> {
  const v = body[field];
  if (v === undefined || v === null) {
    if (required) throw invalidParameter(`${field} is required`);
    return {};
  }
  if (!isObject(v)) throw invalidParameter(`${field} must be a map of tag keys to values`);
  const entries = Object.entries(v);
  if (entries.length > MAX_LOG_GROUP_TAGS)
    throw invalidParameter(`${field} must hold at most ${MAX_LOG_GROUP_TAGS} tags`);
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of entries) {
    if (!TAG_KEY.test(key) || key.startsWith("aws:"))
      throw invalidParameter(`Tag key ${JSON.stringify(key.slice(0, 128))} is not valid`);
    if (typeof value !== "string" || !TAG_VALUE.test(value))
      throw invalidParameter(`The value of tag ${key} is not valid`);
    out[key] = value;
  }
  return out;
}

function keysOf(body: Body, field: string): string[] {
  const v = body[field];
  if (
    !Array.isArray(v) ||
    v.length < 1 ||
    v.length > MAX_LOG_GROUP_TAGS ||
    v.some((k) => typeof k !== "string" || !TAG_KEY.test(k))
  ) {
    throw invalidParameter(`${field} must be a list of 1 to ${MAX_LOG_GROUP_TAGS} tag keys`);
  }
  return v as string[];
}

export function createLogTags(tags: LogGroupTags, region: string) {
  /** The group a resourceArn names: the caller's log group, or not found. */
  function groupOfArn(accountId: string, body: Body): string {
    const arn = str(body, "resourceArn", 1011);
    if (arn === undefined) throw invalidParameter("resourceArn is required");
    const m = ARN.exec(arn);
    if (!m) throw invalidParameter("resourceArn must be a log group's ARN");
    if (m[1] !== region || m[2] !== accountId || !GROUP_NAME.test(m[3] as string)) throw notFound(GROUP_MISSING);
    return m[3] as string;
  }
  async function list(accountId: string, group: string) {
    const found = await tags.get(accountId, group);
    if (!found) throw notFound(GROUP_MISSING);
    return { tags: found };
  }
  async function change(accountId: string, group: string, add: Record<string, string>, remove: string[]) {
    const result = await tags.change(accountId, group, add, remove);
    if (result === "missing") throw notFound(GROUP_MISSING);
    if (result === "too-many") throw invalidParameter(`A log group can have at most ${MAX_LOG_GROUP_TAGS} tags`);
    return {};
  }
  return {
    async listTagsForResource(accountId: string, body: Body) {
      onlyKnown(body, ["resourceArn"]);
      return list(accountId, groupOfArn(accountId, body));
    },
    async tagResource(accountId: string, body: Body) {
      onlyKnown(body, ["resourceArn", "tags"]);
      return change(accountId, groupOfArn(accountId, body), tagsOf(body, "tags", true), []);
    },
    async untagResource(accountId: string, body: Body) {
      onlyKnown(body, ["resourceArn", "tagKeys"]);
      return change(accountId, groupOfArn(accountId, body), {}, keysOf(body, "tagKeys"));
    },
    async listTagsLogGroup(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupName"]);
      return list(accountId, groupOf(body, accountId) as string);
    },
    async tagLogGroup(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupName", "tags"]);
      return change(accountId, groupOf(body, accountId) as string, tagsOf(body, "tags", true), []);
    },
    async untagLogGroup(accountId: string, body: Body) {
      onlyKnown(body, ["logGroupName", "tags"]);
      return change(accountId, groupOf(body, accountId) as string, {}, keysOf(body, "tags"));
    },
  };
}

export type LogTags = ReturnType<typeof createLogTags>;
