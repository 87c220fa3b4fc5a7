// Maps in API input (environment variables, tags, alias weights) as zod records that
// keep a "__proto__" key. zod checks that key but leaves it out of its result, so
// that parsing never sets a prototype: a caller would be told yes and have less
// stored than was sent, and the checks made on the result (variable names, tag
// keys) would never see it. Here it is an own property like any other key.
import { z } from "zod";

const PROTO = "__proto__";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** z.record(key, value), keeping a "__proto__" key as an own property. */
export function recordOf<V extends z.ZodTypeAny>(value: V, key: z.ZodString = z.string()) {
  const record = z.record(key, value);
  return z.unknown().transform((raw, ctx) => {
    const parsed = record.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue(issue);
      return z.NEVER;
    }
    if (!isObject(raw) || !Object.hasOwn(raw, PROTO)) return parsed.data;
    // Checked by `key` and `value` with the other entries, but left out of zod's result.
    return Object.fromEntries<z.output<V>>([...Object.entries(parsed.data), [PROTO, value.parse(raw[PROTO])]]);
  });
}
