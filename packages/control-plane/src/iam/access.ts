// Whether a request signed with an execution role's temporary credentials may do
// what it asks: the role's policies (inline and attached, read through a short
// cache) judged by policy-eval.ts. Long-lived access keys are not judged here: they
// act with their account's full rights, as before roles existed (docs/PERMISSIONS.md).
import { errors } from "@stratus/shared";
import type { IamStore } from "../store/iam-store.js";
import { parseRoleArn } from "./iam-input.js";
import { type PolicyDocument, parsePolicy } from "./policy-document.js";
import { evaluate } from "./policy-eval.js";

/** What temporary credentials act as (AccessKey.session). */
export interface Session {
  roleArn: string;
  sessionName: string;
}

export interface Access {
  /** Throws AccessDeniedException unless `session` may do `action` on every one of `resources`. */
  check(session: Session, action: string, resources: readonly string[]): Promise<void>;
}

/** How long a role's policies are read from the cache: an edit takes effect within this. */
export const ROLE_POLICY_CACHE_MS = 5_000;

export function createAccess(store: Pick<IamStore, "documentsOf">, now = Date.now): Access {
  const cache = new Map<string, { at: number; docs: Promise<PolicyDocument[] | undefined> }>();
  const policiesOf = (accountId: string, role: string) => {
    const key = `${accountId}/${role.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ROLE_POLICY_CACHE_MS) return hit.docs;
    // Stored documents were checked when put; one that no longer parses grants nothing.
    const docs = store.documentsOf(accountId, role).then((texts) =>
      texts?.flatMap((t) => {
        try {
          return [parsePolicy(t)];
        } catch {
          return [];
        }
      }),
    );
    docs.catch(() => cache.delete(key));
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: now(), docs });
    return docs;
  };
  return {
    async check(session, action, resources) {
      const role = parseRoleArn(session.roleArn);
      const docs = role ? await policiesOf(role.accountId, role.name) : undefined;
      const who = role
        ? `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${session.sessionName}`
        : session.roleArn;
      for (const resource of resources) {
        const decision = docs ? evaluate(docs, { action, resource }) : "ImplicitDeny";
        if (decision === "Allow") continue;
        const why =
          decision === "ExplicitDeny"
            ? "with an explicit deny in an identity-based policy"
            : docs
              ? `because no identity-based policy allows the ${action} action`
              : "because the role no longer exists";
        throw errors.accessDenied(
          `User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
        );
      }
    },
  };
}
