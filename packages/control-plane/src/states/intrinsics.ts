// The intrinsic functions of the JSONPath language (States.Format, States.Array*,
// States.Hash, ...), evaluated over a parsed call. Randomness (UUID, MathRandom) comes
// from the seeded source the engine passes, so a replay decides the same values.
import { createHash } from "node:crypto";
import { intrinsicError } from "./errors.js";
import { type IntrinsicArg, parseIntrinsic } from "./intrinsics-parser.js";
import type { Json } from "./types.js";

type Fn = (args: Json[], random: () => number) => Json;

const isArray = (v: Json, fn: string, at: number): Json[] => {
  if (!Array.isArray(v)) throw intrinsicError(`${fn}: argument ${at} must be an array`);
  return v;
};
const isString = (v: Json, fn: string, at: number): string => {
  if (typeof v !== "string") throw intrinsicError(`${fn}: argument ${at} must be a string`);
  return v;
};
const isInt = (v: Json, fn: string, at: number): number => {
  if (typeof v !== "number" || !Number.isInteger(v)) throw intrinsicError(`${fn}: argument ${at} must be an integer`);
  return v;
};
const arity = (args: Json[], fn: string, min: number, max = min) => {
  if (args.length < min || args.length > max) {
    throw intrinsicError(`${fn} takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`);
  }
};
const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);

function format(args: Json[]): Json {
  if (args.length === 0) throw intrinsicError("States.Format takes a template");
  const template = isString(args[0] as Json, "States.Format", 1);
  let next = 1;
  const out = template.replace(/\\([{}])|\{\}/g, (_m, escaped: string | undefined) => {
    if (escaped) return escaped;
    if (next >= args.length) throw intrinsicError("States.Format: more placeholders than arguments");
    const v = args[next++] as Json;
    if (v !== null && typeof v === "object") throw intrinsicError("States.Format: arguments must be scalars");
    return String(v);
  });
  if (next !== args.length) throw intrinsicError("States.Format: more arguments than placeholders");
  return out;
}

const functions: Record<string, Fn> = {
  "States.Format": format,
  "States.StringToJson": (a) => {
    arity(a, "States.StringToJson", 1);
    try {
      return JSON.parse(isString(a[0] as Json, "States.StringToJson", 1)) as Json;
    } catch {
      throw intrinsicError("States.StringToJson: the argument is not JSON text");
    }
  },
  "States.JsonToString": (a) => {
    arity(a, "States.JsonToString", 1);
    return JSON.stringify(a[0]);
  },
  "States.Array": (a) => a,
  "States.ArrayPartition": (a) => {
    arity(a, "States.ArrayPartition", 2);
    const arr = isArray(a[0] as Json, "States.ArrayPartition", 1);
    const size = isInt(a[1] as Json, "States.ArrayPartition", 2);
    if (size <= 0) throw intrinsicError("States.ArrayPartition: the chunk size must be positive");
    const out: Json[] = [];
    for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
    return out;
  },
  "States.ArrayContains": (a) => {
    arity(a, "States.ArrayContains", 2);
    return isArray(a[0] as Json, "States.ArrayContains", 1).some((v) => same(v, a[1] as Json));
  },
  "States.ArrayRange": (a) => {
    arity(a, "States.ArrayRange", 3);
    const [start, end, step] = a.map((v, i) => isInt(v, "States.ArrayRange", i + 1)) as [number, number, number];
    if (step === 0) throw intrinsicError("States.ArrayRange: the step must not be 0");
    const out: number[] = [];
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
      out.push(v);
      if (out.length > 1000) throw intrinsicError("States.ArrayRange: at most 1000 items");
    }
    return out;
  },
  "States.ArrayGetItem": (a) => {
    arity(a, "States.ArrayGetItem", 2);
    const arr = isArray(a[0] as Json, "States.ArrayGetItem", 1);
    const i = isInt(a[1] as Json, "States.ArrayGetItem", 2);
    if (i < 0 || i >= arr.length) throw intrinsicError(`States.ArrayGetItem: index ${i} is out of bounds`);
    return arr[i] as Json;
  },
  "States.ArrayLength": (a) => {
    arity(a, "States.ArrayLength", 1);
    return isArray(a[0] as Json, "States.ArrayLength", 1).length;
  },
  "States.ArrayUnique": (a) => {
    arity(a, "States.ArrayUnique", 1);
    const out: Json[] = [];
    for (const v of isArray(a[0] as Json, "States.ArrayUnique", 1)) if (!out.some((o) => same(o, v))) out.push(v);
    return out;
  },
  "States.Base64Encode": (a) => {
    arity(a, "States.Base64Encode", 1);
    return Buffer.from(isString(a[0] as Json, "States.Base64Encode", 1), "utf8").toString("base64");
  },
  "States.Base64Decode": (a) => {
    arity(a, "States.Base64Decode", 1);
    return Buffer.from(isString(a[0] as Json, "States.Base64Decode", 1), "base64").toString("utf8");
  },
  "States.Hash": (a) => {
    arity(a, "States.Hash", 2);
    const algorithms: Record<string, string> = {
      MD5: "md5",
      "SHA-1": "sha1",
      "SHA-256": "sha256",
      "SHA-384": "sha384",
      "SHA-512": "sha512",
    };
    const algorithm = algorithms[isString(a[1] as Json, "States.Hash", 2)];
    if (!algorithm) throw intrinsicError("States.Hash: the algorithm must be MD5, SHA-1, SHA-256, SHA-384 or SHA-512");
    const data = typeof a[0] === "string" ? a[0] : JSON.stringify(a[0]);
    return createHash(algorithm).update(data).digest("hex");
  },
  "States.JsonMerge": (a) => {
    arity(a, "States.JsonMerge", 3);
    const [x, y, deep] = a;
    if (deep !== false) throw intrinsicError("States.JsonMerge: only a shallow merge (false) is supported");
    const obj = (v: Json | undefined) => v !== null && typeof v === "object" && !Array.isArray(v);
    if (!obj(x) || !obj(y)) throw intrinsicError("States.JsonMerge: both arguments must be objects");
    return { ...(x as object), ...(y as object) } as Json;
  },
  "States.MathRandom": (a, random) => {
    arity(a, "States.MathRandom", 2, 3);
    const start = isInt(a[0] as Json, "States.MathRandom", 1);
    const end = isInt(a[1] as Json, "States.MathRandom", 2);
    return start + Math.floor(random() * (end - start));
  },
  "States.MathAdd": (a) => {
    arity(a, "States.MathAdd", 2);
    return isInt(a[0] as Json, "States.MathAdd", 1) + isInt(a[1] as Json, "States.MathAdd", 2);
  },
  "States.StringSplit": (a) => {
    arity(a, "States.StringSplit", 2);
    const s = isString(a[0] as Json, "States.StringSplit", 1);
    const delimiters = new Set(isString(a[1] as Json, "States.StringSplit", 2));
    // Every character of the second argument splits; empty pieces are kept.
    const out: string[] = [""];
    for (const ch of s) {
      if (delimiters.has(ch)) out.push("");
      else out[out.length - 1] += ch;
    }
    return out;
  },
  "States.UUID": (a, random) => {
    arity(a, "States.UUID", 0);
    const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};

export const intrinsicNames = Object.keys(functions);

/** The value of an intrinsic call written as text; `read` resolves the paths among its arguments. */
export function evaluateIntrinsic(text: string, read: (path: string) => Json, random: () => number): Json {
  const evaluate = (arg: IntrinsicArg): Json => {
    if (arg.kind === "literal") return arg.value;
    if (arg.kind === "path") return read(arg.path);
    const fn = functions[arg.name];
    if (!fn) throw intrinsicError(`Unknown intrinsic function ${arg.name}`);
    return fn(arg.args.map(evaluate), random);
  };
  return evaluate(parseIntrinsic(text));
}
