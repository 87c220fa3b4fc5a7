// SNS's request fields as the awsQuery codec decodes them: maps arrive as
// `{entry: {"1": {key, value}}}` (`Name`/`Value` for message attributes), lists as
// arrays. Unknown parameters are refused by name.
import { snsErrors } from "./sns-errors.js";

export type Body = Record<string, unknown>;

const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

export function onlyKnown(b: Body, known: readonly string[]): void {
  const unknown = Object.keys(b).find((k) => !known.includes(k));
  if (unknown !== undefined) throw snsErrors.unsupported(unknown.slice(0, 100));
}

export function optional(b: Body, name: string): string | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw snsErrors.invalidParameter(`${name}: must be a string`);
  return v;
}

export function required(b: Body, name: string): string {
  const v = optional(b, name);
  if (v === undefined || v === "") throw snsErrors.invalidParameter(`${name}: is required`);
  return v;
}

/** The numbered entries of a query map (`entry.N`), in order. */
function entries(v: unknown, name: string): Body[] {
  if (v === undefined || v === "") return [];
  const entry = isObject(v) ? v.entry : undefined;
  if (!isObject(entry)) throw snsErrors.invalidParameter(`${name}: must be a map`);
  return Object.keys(entry)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => {
      const e = entry[k];
      if (!/^[1-9]\d{0,3}$/.test(k) || !isObject(e)) throw snsErrors.invalidParameter(`${name}: bad entry ${k}`);
      return e;
    });
}

/** A string-to-string map (`Attributes.entry.N.key/value`). */
export function stringMap(b: Body, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries(b[name], name)) {
    if (typeof e.key !== "string" || e.key === "") throw snsErrors.invalidParameter(`${name}: an entry has no key`);
    out[e.key] = typeof e.value === "string" ? e.value : "";
  }
  return out;
}

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary|String\.Array)(\.[A-Za-z0-9_.-]{1,100})?$/;

/** A message's attributes, checked as SNS checks them (name, type, a value of the type). */
export function messageAttributes(b: Body, name = "MessageAttributes"): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const e of entries(b[name], name)) {
    const key = e.Name;
    const value = e.Value;
    if (typeof key !== "string" || !isObject(value))
      throw snsErrors.invalidParameter(`${name}: an entry has no Name or Value`);
    const where = `MessageAttributes: the attribute ${key.slice(0, 256)}`;
    if (!ATTRIBUTE_NAME.test(key) || key.includes("..") || key.startsWith(".") || key.endsWith(".")) {
      throw snsErrors.invalidParameter(`${where} has an invalid name`);
    }
    if (/^(aws|amazon)\./i.test(key))
      throw snsErrors.invalidParameter(`${where}: names starting AWS. or Amazon. are reserved`);
    const type = value.DataType;
    if (typeof type !== "string" || !DATA_TYPE.test(type)) {
      throw snsErrors.invalidParameter(`${where} must have a DataType of String, Number, Binary or String.Array`);
    }
    const base = type === "String.Array" || type.startsWith("String.Array.") ? "String.Array" : type.split(".")[0];
    if (base === "Binary") {
      if (typeof value.BinaryValue !== "string" || value.BinaryValue === "")
        throw snsErrors.invalidParameter(`${where} must have a BinaryValue`);
      out[key] = { DataType: type, BinaryValue: value.BinaryValue };
      continue;
    }
    const text = value.StringValue;
    if (typeof text !== "string" || text === "") throw snsErrors.invalidParameter(`${where} must have a StringValue`);
    if (base === "Number" && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text.trim())) {
      throw snsErrors.invalidParameter(`${where} is not a number: ${text.slice(0, 50)}`);
    }
    if (base === "String.Array") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!Array.isArray(parsed) || parsed.some((x) => isObject(x) || Array.isArray(x))) {
        throw snsErrors.invalidParameter(`${where} must be a JSON array of strings, numbers, booleans or nulls`);
      }
    }
    out[key] = { DataType: type, StringValue: text };
  }
  return out;
}

/** Tags given as `Tags.member.N.Key/Value`. */
export function tagList(b: Body, name = "Tags"): Record<string, string> {
  const v = b[name];
  if (v === undefined || v === "") return {};
  if (!Array.isArray(v)) throw snsErrors.invalidParameter(`${name}: must be a list`);
  const out: Record<string, string> = {};
  for (const t of v) {
    if (!isObject(t) || typeof t.Key !== "string") throw snsErrors.invalidParameter(`${name}: a tag has no Key`);
    const value = typeof t.Value === "string" ? t.Value : "";
    if (t.Key.length < 1 || t.Key.length > 128 || value.length > 256) {
      throw snsErrors.invalidParameter(`${name}: a tag key is 1 to 128 characters and its value up to 256`);
    }
    out[t.Key] = value;
  }
  return out;
}

/** A list of strings given as `Name.member.N`. */
export function stringList(b: Body, name: string): string[] {
  const v = b[name];
  if (v === undefined || v === "") return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw snsErrors.invalidParameter(`${name}: must be a list of strings`);
  return v as string[];
}
