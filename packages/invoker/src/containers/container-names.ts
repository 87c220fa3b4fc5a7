// What a function's container is called on the engine, so that an operator finds
// every container of a function with `docker ps --filter 'name=[.]FUNCTION$'` (of
// one account: 'name=^stratus[.]ACCOUNT[.].*[.]FUNCTION$'). Labels cannot do that
// for a stem cell: Docker fixes labels at create, before its function is known, so
// a stem cell is renamed once specialised. A function name has no dot, so the dot
// before it ends the name's other parts.
import { randomBytes } from "node:crypto";
import type { Owner } from "./container.js";

/** `stratus.ACCOUNT.VERSION.UNIQUE.FUNCTION`, VERSION `LATEST` for `$LATEST` ($ is not allowed in a name). */
export function functionContainerName(owner: Owner): string {
  const version = owner.version.replace(/^\$/, "");
  return `stratus.${owner.accountId}.${version}.${randomBytes(4).toString("hex")}.${owner.functionName}`;
}
