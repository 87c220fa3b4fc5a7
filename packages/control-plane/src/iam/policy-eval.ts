// Judges one request (an action on a resource) by a set of identity policies, as IAM
// does: an explicit Deny in any statement wins, else an Allow in any statement
// allows, else the request is denied by default. Actions match without regard to
// case, resources with it; `*` matches any run of characters and `?` any one.
import type { PolicyDocument, Statement } from "./policy-document.js";

export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

export interface Request {
  /** `service:Operation`, e.g. `lambda:InvokeFunction`. */
  action: string;
  /** The resource's ARN, or `*` for an action on no particular resource. */
  resource: string;
}

const globs = new Map<string, RegExp>();

/** Whether `value` matches `pattern`'s wildcards (`*`, `?`); cached compiled. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? "i" : "s"}${pattern}`;
  let re = globs.get(key);
  if (!re) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, ignoreCase ? "is" : "s");
    if (globs.size > 10_000) globs.clear();
    globs.set(key, re);
  }
  return re.test(value);
}

const anyMatch = (patterns: string[], value: string, ignoreCase: boolean) =>
  patterns.some((p) => globMatch(p, value, ignoreCase));

/** Whether `s` applies to `req` (its effect aside). */
export function applies(s: Statement, req: Request): boolean {
  const action = s.actions ? anyMatch(s.actions, req.action, true) : !anyMatch(s.notActions ?? [], req.action, true);
  if (!action) return false;
  return s.resources
    ? anyMatch(s.resources, req.resource, false)
    : !anyMatch(s.notResources ?? [], req.resource, false);
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
