// What the Logs operations may carry, checked as CloudWatch Logs checks it before
// anything is read or stored: types, ranges, names; a field Stratus does not
// implement refused by name (InvalidParameterException), never dropped. The errors
// are the Logs protocol's, all 400 as CloudWatch Logs answers them.
import { StratusError } from "@stratus/shared";
import { GROUP_NAME, STREAM_NAME } from "./log-model.js";

export const invalidParameter = (message: string) =>
  new StratusError("InvalidParameterException", 400, "client", message);
export const notFound = (message: string) => new StratusError("ResourceNotFoundException", 400, "client", message);
export const alreadyExists = (message: string) =>
  new StratusError("ResourceAlreadyExistsException", 400, "client", message);

export type Body = Record<string, unknown>;
export const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

/** Refuses any field of `body` not in `known`, by name. */
export function onlyKnown(body: Body, known: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key))
      throw invalidParameter(`Unknown or unsupported parameter ${key}: Stratus does not support it`);
  }
}

export function str(body: Body, field: string, max = 1024): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.length > max) {
    throw invalidParameter(`${field} must be a string of at most ${max} characters`);
  }
  return v;
}

export function int(body: Body, field: string, min: number, max: number): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw invalidParameter(`${field} must be an integer from ${min} to ${max}`);
  }
  return v;
}

export function bool(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalidParameter(`${field} must be a boolean`);
  return v;
}

/** An epoch-ms timestamp (CloudWatch's startTime / endTime). */
export const time = (body: Body, field: string) => int(body, field, 0, 8_640_000_000_000_000);

/**
 * The log group a request names, by logGroupName or logGroupIdentifier (a name or an
 * ARN). An ARN of another account names a group the caller cannot see: not found.
 */
export function groupOf(body: Body, accountId: string, required = true): string | undefined {
  const name = str(body, "logGroupName", 512);
  const id = str(body, "logGroupIdentifier", 2048);
  if (name !== undefined && id !== undefined) {
    throw invalidParameter("logGroupName and logGroupIdentifier cannot both be given");
  }
  let group = name;
  if (id !== undefined) {
    const arn = /^arn:aws[a-z-]*:logs:[a-z0-9-]*:(\d{12}):log-group:([^:]+)(:\*)?$/.exec(id);
    if (arn && arn[1] !== accountId) throw notFound("The specified log group does not exist.");
    group = arn ? arn[2] : id;
  }
  if (group === undefined) {
    if (required) throw invalidParameter("logGroupName or logGroupIdentifier is required");
    return undefined;
  }
  if (!GROUP_NAME.test(group)) {
    throw invalidParameter("Log group names are 1 to 512 characters of a-z, A-Z, 0-9, '_', '-', '/', '.' and '#'");
  }
  return group;
}

export function streamName(v: string | undefined, field = "logStreamName"): string {
  if (v === undefined) throw invalidParameter(`${field} is required`);
  if (!STREAM_NAME.test(v)) throw invalidParameter(`${field} must be 1 to 512 characters without ':' or '*'`);
  return v;
}
