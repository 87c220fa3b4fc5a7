// What EventBridge operations may carry, checked as EventBridge checks it before
// anything is stored: names, lengths, the rule's schedule expression and pattern,
// targets and their input; fields Stratus does not implement (or whose targets it
// cannot serve) refused by name, never dropped.
import { StratusError } from "@stratus/shared";
import { ExpressionError, parseExpression } from "../schedules/expression.js";
import type { RuleTarget } from "../store/event-store.js";
import { PatternError, parsePattern } from "./pattern-check.js";

export const validation = (message: string) => new StratusError("ValidationException", 400, "client", message);
export const invalidPattern = (message: string) =>
  new StratusError("InvalidEventPatternException", 400, "client", message);

export type Body = Record<string, unknown>;
export const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const PATH_KEY = /^[A-Za-z0-9_-]{1,256}$/;
const TARGET_KNOWN = new Set([
  "Id",
  "Arn",
  "RoleArn",
  "Input",
  "InputPath",
  "InputTransformer",
  "RetryPolicy",
  "DeadLetterConfig",
]);

/** Refuses any field of `body` not in `known`, by name. */
export function onlyKnown(body: Body, known: readonly string[], where = ""): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) throw validation(`Unknown field ${where}${key}: Stratus does not support it`);
  }
}

export function str(body: Body, field: string, max: number, where = ""): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.length > max) {
    throw validation(`${where}${field} must be a string of at most ${max} characters`);
  }
  return v;
}

export function required(body: Body, field: string, max: number, where = ""): string {
  const v = str(body, field, max, where);
  if (!v) throw validation(`${where}${field} is required`);
  return v;
}

export function ruleName(v: string): string {
  if (!RULE_NAME.test(v)) throw validation("Rule name must be 1 to 64 letters, digits, '.', '-' or '_'");
  return v;
}

/** A bus named by name or by its ARN (which must be the caller's). */
export function busName(v: string | undefined, accountId: string): string {
  if (v === undefined) return "default";
  const arn = /^arn:aws:events:[a-z0-9-]+:(\d{12}):event-bus\/(.+)$/.exec(v);
  if (arn && arn[1] !== accountId) throw validation(`Event bus ${v} is not of account ${accountId}`);
  const name = arn ? (arn[2] as string) : v;
  if (!BUS_NAME.test(name)) throw validation("EventBusName must be 1 to 256 letters, digits, '/', '.', '-' or '_'");
  return name;
}

export function checkExpression(text: string): string {
  try {
    parseExpression(text, "UTC", { allowAt: false });
    return text;
  } catch (err) {
    if (err instanceof ExpressionError) throw validation("Parameter ScheduleExpression is not valid.");
    throw err;
  }
}

export function checkPattern(text: string): string {
  try {
    parsePattern(text);
    return text;
  } catch (err) {
    if (err instanceof PatternError) throw invalidPattern(err.message);
    throw err;
  }
}

/** EventBridge's [{Key, Value}] tags as a map. */
export function tagMap(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (!Array.isArray(tags) || tags.length > 50) throw validation("Tags must be a list of at most 50 {Key, Value}");
  // No prototype: a tag keyed __proto__ is a tag like any other.
  const out: Record<string, string> = Object.create(null);
  for (const t of tags) {
    if (!isObject(t)) throw validation("Each tag must be {Key, Value}");
    onlyKnown(t, ["Key", "Value"], "Tags.");
    const key = required(t, "Key", 128, "Tags.");
    out[key] = str(t, "Value", 256, "Tags.") ?? "";
  }
  return out;
}

function int(obj: Body, field: string, min: number, max: number): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw validation(`RetryPolicy.${field} must be a whole number from ${min} to ${max}`);
  }
  return v;
}

function transformer(v: unknown): RuleTarget["InputTransformer"] {
  if (!isObject(v)) throw validation("InputTransformer must be {InputPathsMap, InputTemplate}");
  onlyKnown(v, ["InputPathsMap", "InputTemplate"], "InputTransformer.");
  const template = required(v, "InputTemplate", 8192, "InputTransformer.");
  const map = v.InputPathsMap ?? {};
  if (!isObject(map) || Object.keys(map).length > 100) {
    throw validation("InputTransformer.InputPathsMap must map at most 100 names to JSON paths");
  }
  for (const [key, path] of Object.entries(map)) {
    if (!PATH_KEY.test(key) || key.toLowerCase().startsWith("aws.")) {
      throw validation(`InputPathsMap key ${key} must be letters, digits, '_' or '-', not starting with aws.`);
    }
    if (typeof path !== "string" || !path.startsWith("$") || path.length > 256) {
      throw validation(`InputPathsMap value for ${key} must be a JSON path ($...) of at most 256 characters`);
    }
  }
  return { InputPathsMap: map as Record<string, string>, InputTemplate: template };
}

/** One PutTargets target, checked; what it names (a function of the account) is checked by the caller. */
export function target(v: unknown): RuleTarget {
  if (!isObject(v)) throw validation("Each target must be an object");
  for (const key of Object.keys(v)) {
    if (!TARGET_KNOWN.has(key)) {
      throw validation(`Target.${key} is not supported by Stratus: targets are its Lambda functions (Target.Arn)`);
    }
  }
  const id = required(v, "Id", 64, "Target.");
  if (!TARGET_ID.test(id)) throw validation("Target.Id must be 1 to 64 letters, digits, '.', '-' or '_'");
  const out: RuleTarget = { Id: id, Arn: required(v, "Arn", 1600, "Target.") };
  const roleArn = str(v, "RoleArn", 1600, "Target.");
  if (roleArn) out.RoleArn = roleArn;
  const given = ["Input", "InputPath", "InputTransformer"].filter((k) => v[k] !== undefined && v[k] !== null);
  if (given.length > 1) throw validation(`Target ${id}: only one of Input, InputPath and InputTransformer may be set`);
  const input = str(v, "Input", 8192, "Target.");
  if (input !== undefined) {
    try {
      JSON.parse(input);
    } catch {
      throw validation(`Target ${id}: Input is not valid JSON text`);
    }
    out.Input = input;
  }
  const path = str(v, "InputPath", 256, "Target.");
  if (path !== undefined) {
    if (!path.startsWith("$")) throw validation(`Target ${id}: InputPath must be a JSON path ($...)`);
    out.InputPath = path;
  }
  if (v.InputTransformer !== undefined && v.InputTransformer !== null) {
    out.InputTransformer = transformer(v.InputTransformer);
  }
  if (v.DeadLetterConfig !== undefined && v.DeadLetterConfig !== null) {
    if (!isObject(v.DeadLetterConfig)) throw validation("DeadLetterConfig must be an object");
    onlyKnown(v.DeadLetterConfig, ["Arn"], "DeadLetterConfig.");
    const arn = str(v.DeadLetterConfig, "Arn", 1600, "DeadLetterConfig.");
    if (arn) out.DeadLetterConfig = { Arn: arn };
  }
  if (v.RetryPolicy !== undefined && v.RetryPolicy !== null) {
    if (!isObject(v.RetryPolicy)) throw validation("RetryPolicy must be an object");
    onlyKnown(v.RetryPolicy, ["MaximumRetryAttempts", "MaximumEventAgeInSeconds"], "RetryPolicy.");
    const attempts = int(v.RetryPolicy, "MaximumRetryAttempts", 0, 185);
    const age = int(v.RetryPolicy, "MaximumEventAgeInSeconds", 60, 86_400);
    out.RetryPolicy = {
      ...(attempts !== undefined ? { MaximumRetryAttempts: attempts } : {}),
      ...(age !== undefined ? { MaximumEventAgeInSeconds: age } : {}),
    };
  }
  return out;
}

/** A list field of `min` to `max` items. */
export function list(body: Body, field: string, min: number, max: number): unknown[] {
  const v = body[field];
  if (!Array.isArray(v) || v.length < min || v.length > max) {
    throw validation(`${field} must be a list of ${min} to ${max} items`);
  }
  return v;
}
