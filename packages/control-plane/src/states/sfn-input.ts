// Reading Step Functions request bodies: typed fields with ValidationException naming
// the one that is wrong, names and ARNs checked as Step Functions checks them
// (InvalidName, InvalidArn), and the errors the API answers in AWS's names.
import { StratusError } from "@stratus/shared";

export type Body = Record<string, unknown>;

const client = (code: string, message: string) => new StratusError(code, 400, "client", message);

export const sfnErrors = {
  client,
  validation: (m: string) => client("ValidationException", m),
  invalidArn: (m: string) => client("InvalidArn", m),
  invalidName: (m: string) => client("InvalidName", m),
  machineNotFound: (arn: string) => client("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`),
  executionNotFound: (arn: string) => client("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`),
  machineExists: (arn: string) => client("StateMachineAlreadyExists", `State Machine Already Exists: '${arn}'`),
  executionExists: (arn: string) => client("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`),
  taskNotFound: () => client("TaskDoesNotExist", "Task Does Not Exist"),
  invalidToken: (m = "Invalid Token") => client("InvalidToken", m),
  taskTimedOut: () => client("TaskTimedOut", "Task Timed Out"),
  resourceNotFound: (arn: string) => client("ResourceNotFound", `Resource not found: '${arn}'`),
  typeNotSupported: () =>
    client("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine"),
};

export function str(b: Body, key: string, opts: { required: true; max?: number }): string;
export function str(b: Body, key: string, opts?: { required?: false; max?: number }): string | undefined;
export function str(b: Body, key: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) {
    if (opts.required) throw sfnErrors.validation(`1 validation error detected: '${key}' must not be null`);
    return undefined;
  }
  if (typeof v !== "string") throw sfnErrors.validation(`'${key}' must be a string`);
  if (opts.max !== undefined && v.length > opts.max)
    throw sfnErrors.validation(`'${key}' must have length less than or equal to ${opts.max}`);
  return v;
}

export function int(b: Body, key: string, min: number, max: number): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    throw sfnErrors.validation(`'${key}' must be an integer between ${min} and ${max}`);
  return v;
}

export function bool(b: Body, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw sfnErrors.validation(`'${key}' must be a boolean`);
  return v;
}

/** Step Functions' names: 1-80 characters, none of whitespace, brackets, wildcards or `"#%\^|~`$&,;:/`. */
export function checkName(name: string, what: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (name.length < 1 || name.length > 80 || /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(name))
    throw sfnErrors.invalidName(`Invalid Name: '${name}' is not a valid ${what} name`);
  return name;
}

const ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):(stateMachine|execution):([^:]+)(?::([^:]+))?$/;

/** The parts of a state machine or execution ARN; InvalidArn when it is not one of `kind`. */
export function parseArn(
  arn: string,
  kind: "stateMachine" | "execution",
): { region: string; account: string; machine: string; execution?: string } {
  const m = ARN.exec(arn);
  if (!m || m[3] !== kind || (kind === "execution") !== (m[5] !== undefined))
    throw sfnErrors.invalidArn(`Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  return {
    region: m[1] as string,
    account: m[2] as string,
    machine: m[4] as string,
    ...(m[5] ? { execution: m[5] } : {}),
  };
}

export const machineArn = (region: string, account: string, name: string) =>
  `arn:aws:states:${region}:${account}:stateMachine:${name}`;
export const executionArn = (region: string, account: string, machine: string, name: string) =>
  `arn:aws:states:${region}:${account}:execution:${machine}:${name}`;

/** AWS's `[{key, value}]` tags as a map. */
export function tagsOf(b: Body, key: string): Record<string, string> {
  const v = b[key];
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v)) throw sfnErrors.validation(`'${key}' must be a list of {key, value}`);
  const out: Record<string, string> = {};
  for (const t of v as Body[]) {
    if (typeof t?.key !== "string" || (t.value !== undefined && typeof t.value !== "string"))
      throw sfnErrors.validation(`Each of '${key}' must have a string key and value`);
    out[t.key] = (t.value as string | undefined) ?? "";
  }
  return out;
}

/** Epoch seconds, as awsJson sends timestamps. */
export const epoch = (d: Date) => d.getTime() / 1000;

/** Refuses, by name, request fields Stratus does not implement. */
export function refuseFields(b: Body, refused: Record<string, (v: unknown) => boolean>): void {
  for (const [field, isUsed] of Object.entries(refused)) {
    if (b[field] !== undefined && b[field] !== null && isUsed(b[field]))
      throw sfnErrors.validation(`'${field}' is not supported by Stratus`);
  }
}
