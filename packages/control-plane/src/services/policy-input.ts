// What AddPermission and RemovePermission may carry, checked as Lambda checks it:
// each field against its pattern, the principal in one of the forms Stratus can tell
// apart (service, account, account root, anyone), every field it does not know
// refused by name. Each refusal is an InvalidParameterValueException naming the field.
import { errors } from "@stratus/shared";
import type { FunctionUrlAuthType, PolicyStatement, Principal } from "../policy.js";
import { storableText } from "../store/pg-helpers.js";

export interface PermissionInput {
  statement: PolicyStatement;
  revisionId?: string;
}

const FIELDS = [
  "StatementId",
  "Action",
  "Principal",
  "SourceArn",
  "SourceAccount",
  "EventSourceToken",
  "RevisionId",
  "PrincipalOrgID",
  "FunctionUrlAuthType",
];
/** Lambda's parameters Stratus does not implement: refused unless they ask for nothing. */
const UNSUPPORTED: Record<string, (v: unknown) => boolean> = { InvokedViaFunctionUrl: (v) => v === false };

export const STATEMENT_ID = /^[a-zA-Z0-9_-]{1,100}$/;
/** RemovePermission's path allows dots too (Lambda's own model says so). */
const STATEMENT_ID_TO_REMOVE = /^[a-zA-Z0-9._-]{1,100}$/;
const ACTIONS = ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl", "lambda:GetFunction", "lambda:*", "*"];
const ACCOUNT = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:aws:iam::(\d{12}):root$/;
const IAM_IDENTITY = /^arn:aws:iam::\d{12}:(user|role)\//;
const SERVICE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.amazon(aws)?\.com$/;
const SOURCE_ARN = /^arn:aws[a-zA-Z0-9-]*:[a-zA-Z0-9-]+:([a-z]{2}(-gov)?-[a-z]+-\d)?:(\d{12})?:.*$/s;
const EVENT_SOURCE_TOKEN = /^[a-zA-Z0-9._-]{1,256}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const AUTH_TYPES: FunctionUrlAuthType[] = ["NONE", "AWS_IAM"];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const invalid = (field: string, why: string) => errors.invalidParameter(`Invalid value for ${field}: ${why}`);

function text(body: Record<string, unknown>, field: string, pattern: RegExp, why: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(field, "must be a string");
  if (!pattern.test(v) || !storableText(v)) throw invalid(field, why);
  return v;
}

function required(body: Record<string, unknown>, field: string, pattern: RegExp, why: string): string {
  const v = text(body, field, pattern, why);
  if (v === undefined) throw errors.invalidParameter(`${field} is required`);
  return v;
}

/** The principal's form as a policy states it; Lambda's own message when it is none of them. */
export function parsePrincipal(raw: string): Principal {
  if (raw === "*") return "*";
  if (ACCOUNT.test(raw)) return { account: raw };
  const root = ACCOUNT_ROOT.exec(raw);
  if (root) return { account: root[1] as string };
  if (IAM_IDENTITY.test(raw)) {
    throw errors.invalidParameter(
      `Principal ${raw} is an IAM user or role, which Stratus cannot tell apart: it knows callers by account, so grant the account (its 12-digit id or arn:aws:iam::<account>:root)`,
    );
  }
  if (SERVICE.test(raw)) return { service: raw };
  throw errors.invalidParameter("The provided principal was invalid. Please check the principal and try again.");
}

/** The statement an AddPermission body asks for; throws before anything is stored. */
export function permissionInput(body: unknown): PermissionInput {
  if (!isObject(body)) throw errors.invalidParameter("AddPermission expects a JSON object");
  for (const [key, value] of Object.entries(body)) {
    const inert = UNSUPPORTED[key];
    if (inert) {
      if (!inert(value))
        throw errors.invalidParameter(`${key} is not supported by Stratus yet: remove it and try again`);
    } else if (!FIELDS.includes(key)) {
      throw errors.invalidParameter(`Unknown parameter ${key}: AddPermission takes ${FIELDS.join(", ")}`);
    }
  }
  const sid = required(body, "StatementId", STATEMENT_ID, "must be 1 to 100 letters, digits, - or _");
  const action = required(body, "Action", /^\S+$/, "must be lambda:<Action>, lambda:* or *");
  if (!ACTIONS.some((a) => a.toLowerCase() === action.toLowerCase())) {
    throw invalid("Action", `Stratus keeps statements for ${ACTIONS.join(", ")}`);
  }
  const principal = parsePrincipal(required(body, "Principal", /^\S+$/, "must not be empty or hold spaces"));
  const authType = body.FunctionUrlAuthType;
  if (authType !== undefined && authType !== null && !AUTH_TYPES.includes(authType as FunctionUrlAuthType)) {
    throw invalid("FunctionUrlAuthType", "must be NONE or AWS_IAM");
  }
  const conditions = {
    sourceArn: text(body, "SourceArn", SOURCE_ARN, "must be an ARN (arn:aws:<service>:<region>:<account>:<resource>)"),
    sourceAccount: text(body, "SourceAccount", ACCOUNT, "must be a 12-digit account id"),
    functionUrlAuthType: (authType ?? undefined) as FunctionUrlAuthType | undefined,
    principalOrgId: text(body, "PrincipalOrgID", ORG_ID, "must be an organisation id (o-[a-z0-9]{10,32})"),
    eventSourceToken: text(body, "EventSourceToken", EVENT_SOURCE_TOKEN, "must be 1 to 256 of [a-zA-Z0-9._-]"),
  };
  const revisionId = text(body, "RevisionId", /^.{1,128}$/s, "must be a revision id returned by GetPolicy");
  const statement: PolicyStatement = { sid, action, principal };
  for (const [key, value] of Object.entries(conditions)) {
    if (value !== undefined) Object.assign(statement, { [key]: value });
  }
  return revisionId === undefined ? { statement } : { statement, revisionId };
}

/** RemovePermission's statement id, from the path. */
export function statementIdToRemove(raw: string): string {
  if (!STATEMENT_ID_TO_REMOVE.test(raw)) throw invalid("StatementId", "must be 1 to 100 letters, digits, ., - or _");
  return raw;
}
