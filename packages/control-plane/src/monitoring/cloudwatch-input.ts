// Readers of CloudWatch request fields, whatever protocol carried them: JSON numbers
// and epoch-second timestamps (awsJson1_0), Dates (rpc-v2-cbor, decoded), or strings
// (awsQuery form fields: numbers, booleans and ISO 8601 timestamps as text). Each
// refuses a field it cannot read with CloudWatch's error naming the field.
import { StratusError } from "@stratus/shared";
import type { Dimension } from "./metric-catalog.js";

export type Body = Record<string, unknown>;

export const invalidValue = (message: string) =>
  new StratusError("InvalidParameterValueException", 400, "client", message);
export const missing = (field: string) =>
  new StratusError("MissingRequiredParameterException", 400, "client", `The parameter ${field} is required.`);
export const badCombination = (message: string) =>
  new StratusError("InvalidParameterCombinationException", 400, "client", message);

export function optional<T>(b: Body, field: string, read: (v: unknown, field: string) => T): T | undefined {
  const v = b[field];
  return v === undefined || v === null ? undefined : read(v, field);
}

export function required<T>(b: Body, field: string, read: (v: unknown, field: string) => T, path = field): T {
  const v = b[field];
  if (v === undefined || v === null) throw missing(path);
  return read(v, path);
}

export function text(v: unknown, field: string, max = 1024): string {
  if (typeof v !== "string") throw invalidValue(`The parameter ${field} must be a string`);
  if (v.length > max) throw invalidValue(`The parameter ${field} must be at most ${max} characters`);
  return v;
}

export function integer(v: unknown, field: string): number {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n))
    throw invalidValue(`The parameter ${field} must be an integer`);
  return n;
}

/** A finite number (a double: Threshold), as JSON, CBOR or form text carries it. */
export function double(v: unknown, field: string): number {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) throw invalidValue(`The parameter ${field} must be a number`);
  return n;
}

export function bool(v: unknown, field: string): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw invalidValue(`The parameter ${field} must be a boolean`);
}

/** A timestamp: a Date, epoch seconds, or ISO 8601 text (a number as text is epoch seconds too). */
export function timestamp(v: unknown, field: string): Date {
  let d: Date | undefined;
  if (v instanceof Date) d = v;
  else if (typeof v === "number") d = new Date(v * 1000);
  else if (typeof v === "string" && /^\d+(\.\d+)?$/.test(v)) d = new Date(Number(v) * 1000);
  else if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)) d = new Date(v);
  if (!d || Number.isNaN(d.getTime())) throw invalidValue(`The parameter ${field} must be a timestamp`);
  return d;
}

export function list<T>(max: number, item: (v: unknown, field: string) => T) {
  return (v: unknown, field: string): T[] => {
    if (v === "") return []; // awsQuery's empty list
    if (!Array.isArray(v)) throw invalidValue(`The parameter ${field} must be a list`);
    if (v.length > max) throw invalidValue(`The collection ${field} must not have more than ${max} members`);
    return v.map((x, i) => item(x, `${field}.member.${i + 1}`));
  };
}

export function struct(v: unknown, field: string): Body {
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Date) {
    throw invalidValue(`The parameter ${field} must be a structure`);
  }
  return v as Body;
}

/** Refuses the members of `b` not in `known`, by name (never silently dropped). */
export function onlyKnown(b: Body, known: readonly string[], where: string): void {
  for (const k of Object.keys(b)) {
    if (!known.includes(k)) throw invalidValue(`The parameter ${where}${k} is not supported by Stratus`);
  }
}

export function dimension(v: unknown, field: string): Dimension {
  const d = struct(v, field);
  onlyKnown(d, ["Name", "Value"], `${field}.`);
  return {
    Name: required(d, "Name", (x, f) => text(x, f, 255), `${field}.Name`),
    Value: required(d, "Value", (x, f) => text(x, f, 1024), `${field}.Value`),
  };
}

export const dimensions = list(30, dimension);
