// What an async attempt's verdict means for Lambda's async metrics (lambda-metrics.ts):
// whether the event was dropped (it ended without the function succeeding) and whether
// a destination configured for its outcome could not be delivered to. A pure reading
// of the verdict, table-tested; the job runner reports it once the verdict is recorded.
import type { AsyncEnding } from "../lambda-metrics.js";
import type { Verdict } from "./async-decisions.js";

const DROPPED = new Set<Verdict["event"]>(["fail", "dead_letter", "expire"]);

/** `verdict`'s reading for an event whose destinations are `inv`'s. */
export function asyncEnding(inv: { onSuccess?: string; onFailure?: string }, verdict: Verdict): AsyncEnding {
  if (verdict.event === "retry") return { dropped: false, undeliverable: false };
  const target = verdict.event === "succeed" ? inv.onSuccess : inv.onFailure;
  const delivery = "delivery" in verdict ? verdict.delivery : undefined;
  return { dropped: DROPPED.has(verdict.event), undeliverable: !!target && !delivery };
}
