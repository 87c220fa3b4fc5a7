// IAM's wildcards (`*` any run of characters, `:` and `/` included; `?` one), as
// actions, resources and String/ArnLike conditions use them.
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
