// IAM tags on roles and customer managed policies: the Tags of CreateRole and
// CreatePolicy (read back by GetRole and GetPolicy, as Terraform reads them after every
// create and refresh), and TagRole, UntagRole, ListRoleTags, TagPolicy, UntagPolicy and
// ListPolicyTags. IAM's rules: at most 50, keys of 1–128 and values of 0–256 letters,
// digits, spaces and _.:/=+-@, no key starting aws:, no key twice in one request.
import { type IamTags, MAX_IAM_TAGS, type TaggedKind } from "../store/iam-tags-store.js";
import { TAG_KEY, TAG_VALUE } from "../tag-text.js";
import { iamErrors } from "./iam-errors.js";
import { type Input, name, only, page, required } from "./iam-input.js";
import type { IamOp } from "./iam-op.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The Tags list of `b` as a map (no prototype: __proto__ is a key like any other); {} when absent. */
export function tagsIn(b: Input): Record<string, string> {
  const v = b.Tags;
  if (v === undefined) return {};
  if (!Array.isArray(v) || v.length > MAX_IAM_TAGS)
    throw iamErrors.validation(`Tags must be a list of at most ${MAX_IAM_TAGS} tags`);
  const out: Record<string, string> = Object.create(null);
  const seen = new Set<string>();
  for (const t of v) {
    if (!isObject(t)) throw iamErrors.validation("Each tag must have a Key and a Value");
    const key = t.Key;
    const value = t.Value ?? "";
    if (typeof key !== "string" || !TAG_KEY.test(key) || key.toLowerCase().startsWith("aws:")) {
      throw iamErrors.invalidInput(`The tag key ${JSON.stringify(String(key).slice(0, 128))} is not valid`);
    }
    if (typeof value !== "string" || !TAG_VALUE.test(value))
      throw iamErrors.invalidInput(`The value of tag ${key} is not valid`);
    if (seen.has(key.toLowerCase())) throw iamErrors.invalidInput(`Duplicate tag keys found: ${key}`);
    seen.add(key.toLowerCase());
    out[key] = value;
  }
  return out;
}

/** IAM's [{Key, Value}] list of a tags map, by key. */
export const tagList = (tags: Record<string, string>) =>
  Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key] }));

function keysIn(b: Input): string[] {
  const v = b.TagKeys;
  if (!Array.isArray(v) || v.length > MAX_IAM_TAGS || v.some((k) => typeof k !== "string" || !TAG_KEY.test(k))) {
    throw iamErrors.validation(`TagKeys must be a list of at most ${MAX_IAM_TAGS} tag keys`);
  }
  return v as string[];
}

export interface TagTargets {
  /** The role's name as stored; NoSuchEntity if there is none. */
  role(accountId: string, roleName: string): Promise<string>;
  /** The policy's name as stored, from its ARN; NoSuchEntity if there is none. */
  policy(accountId: string, arn: string): Promise<string>;
}

export function iamTagOps(tags: IamTags, find: TagTargets): Record<string, IamOp> {
  async function change(
    kind: TaggedKind,
    accountId: string,
    target: string,
    add: Record<string, string>,
    remove: string[],
  ) {
    const result = await tags.change(kind, accountId, target, add, remove);
    if (result === "missing") throw iamErrors.noSuchEntity(`The ${kind} with name ${target} cannot be found.`);
    if (result === "too-many")
      throw iamErrors.limitExceeded(`The number of tags has reached the maximum limit of ${MAX_IAM_TAGS}.`);
    return {};
  }
  async function list(kind: TaggedKind, accountId: string, target: string) {
    const found = (await tags.get(kind, accountId, target)) ?? {};
    return { Tags: tagList(found), IsTruncated: false };
  }
  const roleOf = (accountId: string, b: Input) => find.role(accountId, name(b, "RoleName", 64));
  const policyOf = (accountId: string, b: Input) => find.policy(accountId, required(b, "PolicyArn", 2048));
  return {
    async TagRole(accountId, b) {
      only(b, ["RoleName", "Tags"]);
      return change("role", accountId, await roleOf(accountId, b), tagsIn(b), []);
    },
    async UntagRole(accountId, b) {
      only(b, ["RoleName", "TagKeys"]);
      return change("role", accountId, await roleOf(accountId, b), {}, keysIn(b));
    },
    async ListRoleTags(accountId, b) {
      only(b, ["RoleName", "Marker", "MaxItems"]);
      page(b);
      return list("role", accountId, await roleOf(accountId, b));
    },
    async TagPolicy(accountId, b) {
      only(b, ["PolicyArn", "Tags"]);
      return change("policy", accountId, await policyOf(accountId, b), tagsIn(b), []);
    },
    async UntagPolicy(accountId, b) {
      only(b, ["PolicyArn", "TagKeys"]);
      return change("policy", accountId, await policyOf(accountId, b), {}, keysIn(b));
    },
    async ListPolicyTags(accountId, b) {
      only(b, ["PolicyArn", "Marker", "MaxItems"]);
      page(b);
      return list("policy", accountId, await policyOf(accountId, b));
    },
  };
}
