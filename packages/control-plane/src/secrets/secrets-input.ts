// What Secrets Manager operations may carry, checked as Secrets Manager checks it
// before anything is stored: names, ids, values and their sizes, tokens, labels,
// tags and filters. Fields Stratus does not implement are refused by name. No error
// message here ever quotes a secret's value.
import { StratusError } from "@stratus/shared";
import { storableText } from "../store/pg-helpers.js";
import type { FilterKey, SecretFilter } from "../store/secret-filters.js";
import type { SecretTag, ValueKind } from "../store/secret-store.js";

export type Body = Record<string, unknown>;

const clientError = (code: string) => (message: string) => new StratusError(code, 400, "client", message);
export const invalidParameter = clientError("InvalidParameterException");
export const invalidRequest = clientError("InvalidRequestException");
export const notFound = clientError("ResourceNotFoundException");
export const resourceExists = clientError("ResourceExistsException");
export const validation = clientError("ValidationException");

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const TOKEN = /^[\x21-\x7e]{32,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const FILTER_VALUE = /^!?[a-zA-Z0-9 :_@/+=.\-!]{0,512}$/;
const FILTER_KEYS: readonly FilterKey[] = ["name", "description", "tag-key", "tag-value", "all"];
export const MAX_VALUE_BYTES = 65_536;

/** Refuses fields Stratus does not implement (`unsupported`) and any not in `known`, by name. */
export function onlyKnown(body: Body, known: readonly string[], unsupported: readonly string[] = []): void {
  for (const key of Object.keys(body)) {
    if (body[key] === undefined || body[key] === null) continue;
    if (unsupported.includes(key)) throw invalidParameter(`${key} is not supported by Stratus`);
    if (!known.includes(key)) throw invalidParameter(`Unknown parameter ${key}: Stratus does not support it`);
  }
}

export function optionalString(body: Body, field: string, max: number): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.length > max)
    throw invalidParameter(`${field} must be a string of at most ${max} characters`);
  if (!storableText(v)) throw invalidParameter(`${field} must not contain U+0000 or unpaired surrogates`);
  return v;
}

export function secretName(body: Body, field = "Name"): string {
  const v = body[field];
  if (typeof v !== "string" || !NAME.test(v)) {
    throw invalidParameter(`${field} must be 1 to 512 ASCII letters, digits or the characters /_+=.@-`);
  }
  return v;
}

export function secretId(body: Body): string {
  const v = body.SecretId;
  if (typeof v !== "string" || v.length < 1 || v.length > 2048) {
    throw invalidParameter("SecretId must be a secret's name or ARN of 1 to 2048 characters");
  }
  return v;
}

/** The value a request carries (SecretString or SecretBinary, base64 on the wire), if it carries one. */
export function secretValue(body: Body): { kind: ValueKind; bytes: Buffer } | undefined {
  const s = body.SecretString;
  const b = body.SecretBinary;
  if (s !== undefined && s !== null && b !== undefined && b !== null) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (s !== undefined && s !== null) {
    if (typeof s !== "string") throw invalidParameter("SecretString must be a string");
    const bytes = Buffer.from(s, "utf8");
    if (bytes.length < 1 || bytes.length > MAX_VALUE_BYTES) {
      throw invalidParameter(`SecretString must be 1 to ${MAX_VALUE_BYTES} bytes`);
    }
    return { kind: "string", bytes };
  }
  if (b !== undefined && b !== null) {
    if (typeof b !== "string" || !BASE64.test(b)) throw invalidParameter("SecretBinary must be base64");
    const bytes = Buffer.from(b, "base64");
    if (bytes.length < 1 || bytes.length > MAX_VALUE_BYTES) {
      throw invalidParameter(`SecretBinary must be 1 to ${MAX_VALUE_BYTES} bytes`);
    }
    return { kind: "binary", bytes };
  }
  return undefined;
}

export function requestToken(body: Body): string | undefined {
  const v = body.ClientRequestToken;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || !TOKEN.test(v)) {
    throw invalidParameter("ClientRequestToken must be 32 to 64 printable ASCII characters");
  }
  return v;
}

export function versionStages(body: Body): string[] | undefined {
  const v = body.VersionStages;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length < 1 || v.length > 20)
    throw invalidParameter("VersionStages must list 1 to 20 labels");
  for (const s of v) {
    if (typeof s !== "string" || s.length < 1 || s.length > 256 || !storableText(s)) {
      throw invalidParameter("Each staging label must be a string of 1 to 256 characters");
    }
  }
  if (new Set(v).size !== v.length) throw invalidParameter("VersionStages must not repeat a label");
  return v as string[];
}

export function tagList(v: unknown, field = "Tags"): SecretTag[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 50) throw invalidParameter(`${field} must be a list of at most 50 tags`);
  const tags = v.map((t: unknown) => {
    const tag = t as Record<string, unknown>;
    if (typeof t !== "object" || t === null || typeof tag.Key !== "string" || typeof tag.Value !== "string") {
      throw invalidParameter(`Each of ${field} must have a string Key and Value`);
    }
    if (tag.Key.length < 1 || tag.Key.length > 128 || tag.Value.length > 256) {
      throw invalidParameter("A tag's Key must be 1 to 128 characters and its Value at most 256");
    }
    if (!storableText(tag.Key) || !storableText(tag.Value)) throw invalidParameter("Tags must not contain U+0000");
    if (tag.Key.toLowerCase().startsWith("aws:")) throw invalidParameter("Tag keys starting with aws: are reserved");
    return { Key: tag.Key, Value: tag.Value };
  });
  if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw invalidParameter(`${field} must not repeat a Key`);
  return tags;
}

export function tagKeys(v: unknown): string[] {
  if (!Array.isArray(v) || v.length > 50 || v.some((k) => typeof k !== "string" || k.length < 1 || k.length > 128)) {
    throw invalidParameter("TagKeys must list at most 50 keys of 1 to 128 characters");
  }
  return v as string[];
}

/** RecoveryWindowInDays (7 to 30, default 30) or ForceDeleteWithoutRecovery, never both. */
export function deletion(body: Body): { force: true } | { force: false; days: number } {
  const days = body.RecoveryWindowInDays;
  const force = body.ForceDeleteWithoutRecovery;
  if (force !== undefined && force !== null && typeof force !== "boolean") {
    throw invalidParameter("ForceDeleteWithoutRecovery must be a boolean");
  }
  if (force === true) {
    if (days !== undefined && days !== null) {
      throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    return { force: true };
  }
  if (days === undefined || days === null) return { force: false, days: 30 };
  if (typeof days !== "number" || !Number.isInteger(days) || days < 7 || days > 30) {
    throw invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
  }
  return { force: false, days };
}

export function maxResults(body: Body): number {
  const v = body.MaxResults ?? 100;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 100) {
    throw invalidParameter("MaxResults must be from 1 to 100");
  }
  return v;
}

export function filters(v: unknown): SecretFilter[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 10) throw invalidParameter("Filters must be a list of at most 10 filters");
  return v.map((f: unknown) => {
    const { Key: key, Values: values } = (f ?? {}) as Record<string, unknown>;
    if (key === "primary-region" || key === "owning-service") {
      throw invalidParameter(`Filter key ${key} is not supported by Stratus`);
    }
    if (typeof key !== "string" || !(FILTER_KEYS as readonly string[]).includes(key)) {
      throw invalidParameter(`Filter Key must be one of ${FILTER_KEYS.join(", ")}`);
    }
    if (!Array.isArray(values) || values.length < 1 || values.length > 10) {
      throw invalidParameter("A filter's Values must list 1 to 10 values");
    }
    for (const value of values) {
      if (typeof value !== "string" || !FILTER_VALUE.test(value)) {
        throw invalidParameter("Filter values are at most 512 letters, digits, spaces or the characters :_@/+=.-!");
      }
    }
    return { key: key as FilterKey, values: values as string[] };
  });
}
