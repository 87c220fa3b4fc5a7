// What CreateSchedule and UpdateSchedule may carry, checked as EventBridge Scheduler
// checks it: every field it knows, refused with a ValidationException naming the
// field; the fields of targets Stratus cannot serve (ECS, SQS, Kinesis, SageMaker,
// EventBridge) and the ones it does not implement yet refused by name.
import { StratusError } from "@stratus/shared";
import { ExpressionError, knownTimezone, parseExpression, type ScheduleExpression } from "./expression.js";

export const validation = (message: string) => new StratusError("ValidationException", 400, "client", message);

export interface ScheduleInput {
  expression: string;
  parsed: ScheduleExpression;
  timezone: string;
  startDate?: Date;
  endDate?: Date;
  state: "ENABLED" | "DISABLED";
  description?: string;
  flexibleWindow: { Mode: "OFF" | "FLEXIBLE"; MaximumWindowInMinutes?: number };
  target: {
    Arn: string;
    RoleArn: string;
    Input?: string;
    RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
    DeadLetterConfig?: { Arn: string };
  };
  actionAfterCompletion: "NONE" | "DELETE";
  groupName: string;
}

const KNOWN = new Set([
  "ScheduleExpression",
  "ScheduleExpressionTimezone",
  "StartDate",
  "EndDate",
  "State",
  "Description",
  "FlexibleTimeWindow",
  "Target",
  "ActionAfterCompletion",
  "GroupName",
  "ClientToken",
  "KmsKeyArn",
]);
const TARGET_KNOWN = new Set(["Arn", "RoleArn", "Input", "RetryPolicy", "DeadLetterConfig"]);
const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function str(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.length > max)
    throw validation(`${field} must be a string of at most ${max} characters`);
  return v;
}

/** A Smithy timestamp as the SDKs and CLI send it in a JSON body: epoch seconds (or an ISO string). */
function date(body: Record<string, unknown>, field: string): Date | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  const d = typeof v === "number" ? new Date(v * 1000) : typeof v === "string" ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw validation(`${field} is not a valid timestamp`);
  return d;
}

function oneOf<T extends string>(body: Record<string, unknown>, field: string, allowed: readonly T[], dflt: T): T {
  const v = body[field] ?? dflt;
  if (!allowed.includes(v as T)) throw validation(`${field} must be one of ${allowed.join(", ")}`);
  return v as T;
}

function int(obj: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw validation(`${field} must be a whole number from ${min} to ${max}`);
  }
  return v;
}

export function scheduleName(name: string): string {
  if (!NAME.test(name)) throw validation("Name must be 1 to 64 letters, digits, '-', '_' or '.'");
  return name;
}

function target(v: unknown): ScheduleInput["target"] {
  if (!isObject(v)) throw validation("Target is required");
  for (const key of Object.keys(v)) {
    if (!TARGET_KNOWN.has(key)) {
      throw validation(`Target.${key} is not supported by Stratus: targets are Lambda functions (Target.Arn)`);
    }
  }
  const arn = str(v, "Arn", 1600);
  if (!arn) throw validation("Target.Arn is required");
  const roleArn = str(v, "RoleArn", 1600);
  if (!roleArn) throw validation("Target.RoleArn is required");
  const input = str(v, "Input", 256 * 1024);
  const out: ScheduleInput["target"] = { Arn: arn, RoleArn: roleArn, ...(input !== undefined ? { Input: input } : {}) };
  if (v.DeadLetterConfig !== undefined && v.DeadLetterConfig !== null) {
    if (!isObject(v.DeadLetterConfig) || Object.keys(v.DeadLetterConfig).some((k) => k !== "Arn")) {
      throw validation("Target.DeadLetterConfig must be {Arn}");
    }
    const dlq = str(v.DeadLetterConfig, "Arn", 1600);
    if (dlq) out.DeadLetterConfig = { Arn: dlq };
  }
  if (isObject(v.RetryPolicy)) {
    const attempts = int(v.RetryPolicy, "MaximumRetryAttempts", 0, 185);
    const age = int(v.RetryPolicy, "MaximumEventAgeInSeconds", 60, 86_400);
    out.RetryPolicy = {
      ...(attempts !== undefined ? { MaximumRetryAttempts: attempts } : {}),
      ...(age !== undefined ? { MaximumEventAgeInSeconds: age } : {}),
    };
  }
  return out;
}

/** The schedule a CreateSchedule or UpdateSchedule body describes; throws ValidationException. */
export function scheduleInput(body: unknown, now: Date): ScheduleInput {
  if (!isObject(body)) throw validation("The request body must be a JSON object");
  for (const key of Object.keys(body)) if (!KNOWN.has(key)) throw validation(`Unknown field ${key}`);
  if (body.KmsKeyArn !== undefined && body.KmsKeyArn !== null) {
    throw validation("KmsKeyArn is not supported by Stratus yet");
  }
  const expression = str(body, "ScheduleExpression", 256);
  if (!expression) throw validation("ScheduleExpression is required");
  const timezone = str(body, "ScheduleExpressionTimezone", 50) ?? "UTC";
  if (!knownTimezone(timezone)) throw validation(`ScheduleExpressionTimezone ${timezone} is not a known time zone`);
  let parsed: ScheduleExpression;
  try {
    parsed = parseExpression(expression, timezone);
  } catch (err) {
    if (err instanceof ExpressionError) throw validation(err.message);
    throw err;
  }
  if (parsed.kind === "at" && parsed.at.getTime() <= now.getTime()) {
    throw validation(`Invalid Schedule Expression ${expression}: the time is in the past`);
  }
  const startDate = date(body, "StartDate");
  const endDate = date(body, "EndDate");
  if (startDate && endDate && endDate.getTime() <= startDate.getTime()) {
    throw validation("EndDate must be after StartDate");
  }
  if (endDate && endDate.getTime() <= now.getTime()) throw validation("EndDate must be in the future");
  const ftw = body.FlexibleTimeWindow;
  if (!isObject(ftw)) throw validation("FlexibleTimeWindow is required");
  const mode = oneOf(ftw, "Mode", ["OFF", "FLEXIBLE"] as const, "OFF");
  const window = int(ftw, "MaximumWindowInMinutes", 1, 1440);
  if (mode === "FLEXIBLE" && window === undefined) {
    throw validation("FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE");
  }
  if (mode === "OFF" && window !== undefined) {
    throw validation("FlexibleTimeWindow.MaximumWindowInMinutes is allowed only when Mode is FLEXIBLE");
  }
  const description = str(body, "Description", 512);
  const groupName = str(body, "GroupName", 64) ?? "default";
  scheduleName(groupName);
  return {
    expression,
    parsed,
    timezone,
    ...(startDate ? { startDate } : {}),
    ...(endDate ? { endDate } : {}),
    state: oneOf(body, "State", ["ENABLED", "DISABLED"] as const, "ENABLED"),
    ...(description !== undefined ? { description } : {}),
    flexibleWindow: { Mode: mode, ...(window !== undefined ? { MaximumWindowInMinutes: window } : {}) },
    target: target(body.Target),
    actionAfterCompletion: oneOf(body, "ActionAfterCompletion", ["NONE", "DELETE"] as const, "NONE"),
    groupName,
  };
}
