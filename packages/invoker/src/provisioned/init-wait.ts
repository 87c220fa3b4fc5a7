// How a provisioned container's init is waited for: until its runtime first asks
// for work on /next, within a limit (Lambda's 10 s, or the function's timeout if
// longer), and what is told of one that never got there.
import type { InvokeSpec } from "@stratus/shared";
import type { Container } from "../containers/container.js";
import type { Life } from "../containers/lifecycle.js";
import { INIT_TIMEOUT_MS } from "../pool/invocation.js";

/** How long a provisioned container's runtime may take to reach /next. */
export const initLimitMs = (spec: InvokeSpec): number => Math.max(INIT_TIMEOUT_MS, spec.timeoutSeconds * 1000);

/** Why a container's runtime never reached /next, in a few words, from its life then. */
export function initFailure(life: Life): string {
  if (life.state === "dead") {
    const { cause, failure } = life;
    if (cause === "failed") return `${failure.errorType}: ${failure.errorMessage}`;
    if (cause === "oom") return "the runtime ran out of memory during init";
    return `the runtime exited during init (${failure.errorMessage})`;
  }
  if (life.state === "exited") return `the runtime exited during init (exit status ${life.exitCode})`;
  return "the container was removed during init";
}

/**
 * Resolves once `c`'s runtime is parked on /next for the first time; throws (naming
 * why) if it died first, or if `limitMs` passed first. The container is the caller's to remove.
 */
export async function untilInitialised(c: Container, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), limitMs);
    timer.unref();
  });
  const parked = c.session.parked().then(() => "parked" as const);
  const first = await Promise.race([parked, late]).finally(() => clearTimeout(timer));
  if (first === "late") throw new Error(`init did not finish within ${limitMs / 1000} s`);
  if (c.session.state !== "idle" || c.life.state !== "claimed") throw new Error(initFailure(c.life));
}
