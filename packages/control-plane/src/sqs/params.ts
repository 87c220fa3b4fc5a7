// Reading SQS request members the same way whichever protocol brought them: awsJson
// sends numbers and lists as JSON, awsQuery as strings (the codec already made its
// lists and maps), so integers are accepted in both forms.

import { TAG_KEY } from "../tag-text.js";
import { sqsErrors } from "./sqs-errors.js";

export type Model = Record<string, unknown>;

export const isObject = (v: unknown): v is Model => typeof v === "object" && v !== null && !Array.isArray(v);

export function intParam(b: Model, name: string, min: number, max: number): number | undefined {
  const v = b[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw sqsErrors.invalidParameter(
      `Value ${String(v).slice(0, 20)} for parameter ${name} is invalid. Reason: must be between ${min} and ${max}, if provided.`,
    );
  }
  return n;
}

export function stringList(b: Model, name: string, max = 100): string[] {
  const v = b[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > max || v.some((x) => typeof x !== "string")) {
    throw sqsErrors.invalidParameter(`${name} must be a list of at most ${max} strings`);
  }
  return v as string[];
}

export function stringMap(b: Model, name: string): Record<string, string> {
  const v = b[name];
  if (v === undefined || v === null) return {};
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== "string")) {
    throw sqsErrors.invalidParameter(`${name} must be a map of strings`);
  }
  return v as Record<string, string>;
}

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** A batch's entries: 1 to 10 objects with distinct valid Ids. */
export function batchEntries(b: Model, name = "Entries"): Model[] {
  const v = b[name];
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) {
    throw sqsErrors.emptyBatch("There should be at least one entry in the request.");
  }
  if (!Array.isArray(v) || v.some((e) => !isObject(e)))
    throw sqsErrors.invalidParameter(`${name} must be a list of entries`);
  if (v.length > 10)
    throw sqsErrors.tooMany(`Maximum number of entries per request are 10. You have sent ${v.length}.`);
  const seen = new Set<string>();
  for (const e of v as Model[]) {
    const id = e.Id;
    if (typeof id !== "string" || !ENTRY_ID.test(id)) {
      throw sqsErrors.invalidEntryId(
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
      );
    }
    if (seen.has(id)) throw sqsErrors.idsNotDistinct(`Id ${id} repeated.`);
    seen.add(id);
  }
  return v as Model[];
}

export function tagMap(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw sqsErrors.invalidParameter("Tags must be a map of keys to values");
  const entries = Object.entries(v);
  if (entries.length > 50) throw sqsErrors.invalidParameter("A queue may have at most 50 tags");
  for (const [k, x] of entries) {
    if (!TAG_KEY.test(k) || k.toLowerCase().startsWith("aws:"))
      throw sqsErrors.invalidParameter(`Tag key ${k.slice(0, 128)} is invalid`);
    if (typeof x !== "string" || x.length > 256)
      throw sqsErrors.invalidParameter(`Tag ${k} must have a value of at most 256 characters`);
  }
  return v as Record<string, string>;
}
