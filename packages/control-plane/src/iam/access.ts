// Whether a request signed as an IAM principal may do what it asks: an execution
// role's temporary credentials or an IAM user's access key, judged by that role's or
// user's policies (inline and attached, read through a short cache) with
// policy-eval.ts. The account's own keys are not judged here: they act with its full
// rights (docs/PERMISSIONS.md).
import { errors } from "@stratus/shared";
import type { AccessKey } from "../domain.js";
import { userArn } from "../store/iam-types.js";
import { parseRoleArn } from "./iam-input.js";
import type { RequestContext } from "./policy-conditions.js";
import { type PolicyDocument, parsePolicy } from "./policy-document.js";
import { evaluate } from "./policy-eval.js";

/** What temporary credentials act as (AccessKey.session). */
export interface Session {
  roleArn: string;
  sessionName: string;
}

/** What an IAM user's key acts as (AccessKey.user). */
export interface UserPrincipal {
  accountId: string;
  userName: string;
  path: string;
}

export type Principal = Session | UserPrincipal;

/** The principal a key acts as; undefined for the account's own keys (full rights). */
export function principalOf(key: AccessKey): Principal | undefined {
  if (key.session) return key.session;
  if (key.user) return { accountId: key.accountId, userName: key.user.name, path: key.user.path };
  return undefined;
}

/** The principal's ARN: the user's, or the role session's (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
export function principalArn(who: Principal): string {
  if ("userName" in who) return userArn({ accountId: who.accountId, path: who.path, name: who.userName });
  const role = parseRoleArn(who.roleArn);
  return role ? `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${who.sessionName}` : who.roleArn;
}

/** What the edge knows of a request, for policy conditions (aws:SourceIp, aws:SecureTransport, aws:RequestedRegion). */
export interface RequestFacts {
  sourceIp?: string;
  secureTransport?: boolean;
  region?: string;
}

/** The context keys of a request by `who` (policy-conditions.ts): the principal's, the request's, the time. */
export function requestContext(
  who: Principal,
  request: RequestFacts,
  at: Date,
  tags: Record<string, string> = {},
): RequestContext {
  const user = "userName" in who;
  const role = user ? undefined : parseRoleArn(who.roleArn);
  const principalTags = Object.fromEntries(
    Object.entries(tags).map(([k, v]) => [`aws:principaltag/${k.toLowerCase()}`, v]),
  );
  return {
    ...principalTags,
    "aws:currenttime": at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:epochtime": String(Math.floor(at.getTime() / 1000)),
    "aws:principalarn": user ? principalArn(who) : who.roleArn,
    "aws:principalaccount": user ? who.accountId : role?.accountId,
    "aws:principaltype": user ? "User" : "AssumedRole",
    "aws:username": user ? who.userName : undefined,
    "aws:sourceip": request.sourceIp,
    "aws:securetransport": request.secureTransport === undefined ? undefined : String(request.secureTransport),
    "aws:requestedregion": request.region,
  };
}

export interface Access {
  /**
   * Throws AccessDeniedException unless `who` may do `action` on every one of
   * `resources`; `request` is what conditions are judged by, with the principal's own keys.
   */
  check(who: Principal, action: string, resources: readonly string[], request?: RequestFacts): Promise<void>;
  /** Drops what is cached of a role's or user's policies, after an edit made here. */
  forget(accountId: string, kind: "role" | "user", name: string): void;
  /** Drops what is cached of every principal of the account (a managed policy's document changed). */
  forgetAccount(accountId: string): void;
}

/** Where a role's or a user's policy documents are read; undefined when it does not exist. */
export interface PolicySource {
  role(accountId: string, name: string): Promise<string[] | undefined>;
  user(accountId: string, name: string): Promise<string[] | undefined>;
  /** A role's tags (aws:PrincipalTag/...); users have none. */
  roleTags?(accountId: string, name: string): Promise<Record<string, string> | undefined>;
}

/** How long policies are read from the cache: an edit on another control plane takes effect within this. */
export const ROLE_POLICY_CACHE_MS = 5_000;

export function createAccess(source: PolicySource, now = Date.now): Access {
  const cache = new Map<
    string,
    { at: number; docs: Promise<PolicyDocument[] | undefined>; tags: Promise<Record<string, string>> }
  >();
  const keyOf = (accountId: string, kind: "role" | "user", name: string) =>
    `${accountId}/${kind}/${name.toLowerCase()}`;
  /** The principal's policies and tags, read through the cache. */
  const principalOf = (accountId: string, kind: "role" | "user", name: string) => {
    const key = keyOf(accountId, kind, name);
    const hit = cache.get(key);
    if (hit && now() - hit.at < ROLE_POLICY_CACHE_MS) return hit;
    // Stored documents were checked when put; one that no longer parses grants nothing.
    const docs = source[kind](accountId, name).then((texts) =>
      texts?.flatMap((t) => {
        try {
          return [parsePolicy(t)];
        } catch {
          return [];
        }
      }),
    );
    const tags =
      kind === "role" && source.roleTags ? source.roleTags(accountId, name).then((t) => t ?? {}) : Promise.resolve({});
    const entry = { at: now(), docs, tags };
    Promise.all([docs, tags]).catch(() => cache.delete(key));
    if (cache.size > 10_000) cache.clear();
    cache.set(key, entry);
    return entry;
  };
  /** Who the principal is in a refusal's message, its policies and its tags. */
  const judged = async (who: Principal) => {
    if ("userName" in who) {
      const p = principalOf(who.accountId, "user", who.userName);
      return {
        arn: principalArn(who),
        docs: await p.docs,
        tags: await p.tags,
        gone: "because the user no longer exists",
      };
    }
    const role = parseRoleArn(who.roleArn);
    const p = role ? principalOf(role.accountId, "role", role.name) : undefined;
    return {
      arn: principalArn(who),
      docs: p ? await p.docs : undefined,
      tags: p ? await p.tags : {},
      gone: "because the role no longer exists",
    };
  };
  return {
    async check(who, action, resources, request = {}) {
      const { arn, docs, tags, gone } = await judged(who);
      const context = requestContext(who, request, new Date(now()), tags);
      for (const resource of resources) {
        const decision = docs ? evaluate(docs, { action, resource, context }) : "ImplicitDeny";
        if (decision === "Allow") continue;
        const why =
          decision === "ExplicitDeny"
            ? "with an explicit deny in an identity-based policy"
            : docs
              ? `because no identity-based policy allows the ${action} action`
              : gone;
        throw errors.accessDenied(
          `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
        );
      }
    },
    forget(accountId, kind, name) {
      cache.delete(keyOf(accountId, kind, name));
    },
    forgetAccount(accountId) {
      for (const key of cache.keys()) if (key.startsWith(`${accountId}/`)) cache.delete(key);
    },
  };
}
