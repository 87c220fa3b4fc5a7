// Reading IAM operations' parameters (decoded from awsQuery forms: strings, lists
// and structures): names, paths, documents, pagination; each refused with IAM's
// ValidationError naming the parameter.
import { iamErrors } from "./iam-errors.js";

export type Input = Record<string, unknown>;

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^\/([\x21-\x7e]*\/)?$/;

export function str(
  b: Input,
  key: string,
  opts: { required?: boolean; max?: number; min?: number } = {},
): string | undefined {
  const v = b[key];
  if (v === undefined) {
    if (opts.required)
      throw iamErrors.validation(
        `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
      );
    return undefined;
  }
  if (typeof v !== "string") throw iamErrors.validation(`${key} must be a string`);
  if (v.length < (opts.min ?? 0) || v.length > (opts.max ?? 131_072)) {
    throw iamErrors.validation(`${key} must be between ${opts.min ?? 0} and ${opts.max ?? 131_072} characters long`);
  }
  return v;
}

export const required = (b: Input, key: string, max?: number): string =>
  str(b, key, { required: true, min: 1, ...(max !== undefined ? { max } : {}) }) as string;

/** A role or policy name: 1–64 (roles) or 1–128 (policies) of [\w+=,.@-]. */
export function name(b: Input, key: string, max: number): string {
  const v = required(b, key, max);
  if (!NAME.test(v)) {
    throw iamErrors.validation(
      `The specified value for ${key.replace(/Name$/, "").toLowerCase()}Name is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-`,
    );
  }
  return v;
}

/** A path (default `/`): begins and ends with `/`, at most 512 characters. */
export function path(b: Input, key = "Path"): string {
  const v = str(b, key, { max: 512, min: 1 }) ?? "/";
  if (!PATH.test(v))
    throw iamErrors.validation(
      `The specified value for ${key} is invalid. It must begin and end with / and contain only printable ASCII characters`,
    );
  return v;
}

export function pathPrefix(b: Input): string {
  const v = str(b, "PathPrefix", { max: 512, min: 1 }) ?? "/";
  if (!v.startsWith("/")) throw iamErrors.validation("PathPrefix must begin with /");
  return v;
}

/** MaxItems (1–1000, default 100) and Marker (an earlier answer's, opaque). */
export function page(b: Input): { after: string | undefined; max: number } {
  const raw = str(b, "MaxItems");
  const max = raw === undefined ? 100 : Number(raw);
  if (!Number.isInteger(max) || max < 1 || max > 1000)
    throw iamErrors.validation("MaxItems must be between 1 and 1000");
  const marker = str(b, "Marker", { min: 1, max: 320 });
  if (marker === undefined) return { after: undefined, max };
  const after = Buffer.from(marker, "base64url").toString("utf8");
  if (!after || Buffer.from(after).toString("base64url") !== marker) throw iamErrors.validation("Marker is not valid");
  return { after, max };
}

/** The Marker/IsTruncated pair of a list answer. */
export const pageOut = (after: string | undefined) =>
  after === undefined
    ? { IsTruncated: false }
    : { IsTruncated: true, Marker: Buffer.from(after).toString("base64url") };

/** Refuses by name parameters Stratus does not serve. */
export function refuse(b: Input, keys: string[]): void {
  for (const k of keys) {
    if (b[k] !== undefined) throw iamErrors.validation(`${k} is not supported by Stratus`);
  }
}

/** Only the parameters listed may appear (an unknown one is a mistake the caller should hear of). */
export function only(b: Input, keys: string[]): void {
  for (const k of Object.keys(b)) {
    if (!keys.includes(k)) throw iamErrors.validation(`${k.slice(0, 64)} is not a parameter of this operation`);
  }
}

/** The account and role name of a role ARN (`arn:aws:iam::<account>:role/<path><name>`). */
export function parseRoleArn(arn: string): { accountId: string; name: string } | undefined {
  const m = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
  return m ? { accountId: m[1] as string, name: m[2] as string } : undefined;
}

/** The account and name of a customer managed policy ARN. */
export function parsePolicyArn(arn: string): { accountId: string; name: string } | undefined {
  const m = /^arn:aws[a-zA-Z-]*:iam::(\d{12}|aws):policy\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,128})$/.exec(arn);
  return m ? { accountId: m[1] as string, name: m[2] as string } : undefined;
}
