// Which version an alias invoke runs: the alias's version, or its additional version
// with the configured probability. Pure; `random` is a number in [0, 1).
import type { Alias } from "../domain.js";

export function pickVersion(alias: Pick<Alias, "functionVersion" | "additional">, random: number): string {
  const extra = alias.additional;
  return extra && random < extra.weight ? extra.version : alias.functionVersion;
}

/** True for qualifiers that name a version ($LATEST or a number) rather than an alias. */
export function isVersionQualifier(qualifier: string): boolean {
  return qualifier === "$LATEST" || /^[0-9]+$/.test(qualifier);
}
