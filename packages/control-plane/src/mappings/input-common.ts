// Input rules every mapping source shares: the shape of FilterCriteria and its patterns'
// check, a Secrets Manager ARN, and how a parameter sent as "nothing" is told apart
// from one sent with a value (an SDK sends empty lists and blocks for "none").
import { errors } from "@stratus/shared";
import { z } from "zod";
import { PatternError, parsePattern } from "../events/pattern-check.js";

export const SECRET_ARN = /^arn:aws[a-zA-Z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[a-zA-Z0-9/_+=.@-]{1,512}$/;

/** FilterCriteria; an empty block (what Terraform sends to remove the filters) holds none. */
export const Filters = z
  .object({
    Filters: z
      .array(z.object({ Pattern: z.string().max(4096) }).strict())
      .max(5)
      .default([]),
  })
  .strict();

/** Parameters every source takes, with Lambda's limits. */
export const CommonFields = {
  FunctionName: z.string().min(1).max(170),
  Enabled: z.boolean(),
  BatchSize: z.number().int().min(1).max(10_000),
  MaximumBatchingWindowInSeconds: z.number().int().min(0).max(300),
  FilterCriteria: Filters,
};

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Absent, null or an empty list (and, with `emptyObject`, an empty block): a parameter sent as "none". */
export const inert = (v: unknown, emptyObject = false) =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (emptyObject && isObject(v) && Object.keys(v).length === 0);

/** The request body as an object, or InvalidParameterValueException. */
export function bodyObject(raw: unknown): Record<string, unknown> {
  if (!isObject(raw)) throw errors.invalidParameter("The request body must be a JSON object");
  return raw;
}

/** Refuses a FilterCriteria whose patterns do not parse, with Lambda's message. */
export function checkFilters(f: { Filters: Array<{ Pattern: string }> } | undefined): void {
  for (const { Pattern } of f?.Filters ?? []) {
    try {
      parsePattern(Pattern);
    } catch (err) {
      if (err instanceof PatternError)
        throw errors.invalidParameter(`Invalid filter pattern definition. ${err.message}`);
      throw err;
    }
  }
}
