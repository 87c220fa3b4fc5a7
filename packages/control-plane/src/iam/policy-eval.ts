// Judges one request (an action on a resource) by a set of identity policies, as IAM
// does: an explicit Deny in any statement wins, else an Allow in any statement
// allows, else the request is denied by default. Actions match without regard to
// case, resources with it; `*` matches any run of characters and `?` any one. A
// statement with conditions applies only when they hold for the request's context.
import { conditionsHold, type RequestContext } from "./policy-conditions.js";
import type { PolicyDocument, Statement } from "./policy-document.js";
import { globMatch } from "./policy-glob.js";

export { globMatch } from "./policy-glob.js";

export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

export interface Request {
  /** `service:Operation`, e.g. `lambda:InvokeFunction`. */
  action: string;
  /** The resource's ARN, or `*` for an action on no particular resource. */
  resource: string;
  /** What conditions are judged by (policy-conditions.ts); without it, every key is absent. */
  context?: RequestContext;
}

const anyMatch = (patterns: string[], value: string, ignoreCase: boolean) =>
  patterns.some((p) => globMatch(p, value, ignoreCase));

/** Whether `s` applies to `req` (its effect aside). */
export function applies(s: Statement, req: Request): boolean {
  const action = s.actions ? anyMatch(s.actions, req.action, true) : !anyMatch(s.notActions ?? [], req.action, true);
  if (!action) return false;
  const resource = s.resources
    ? anyMatch(s.resources, req.resource, false)
    : !anyMatch(s.notResources ?? [], req.resource, false);
  return resource && (!s.conditions || conditionsHold(s.conditions, req.context ?? {}));
}

export function evaluate(policies: readonly PolicyDocument[], req: Request): Decision {
  let allowed = false;
  for (const p of policies) {
    for (const s of p.statements) {
      if (!applies(s, req)) continue;
      if (s.effect === "Deny") return "ExplicitDeny";
      allowed = true;
    }
  }
  return allowed ? "Allow" : "ImplicitDeny";
}
