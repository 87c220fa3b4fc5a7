// Batching decisions for event source mappings, as plain functions: when a batch is
// ready, how records are cut into invocations under the function's payload limit,
// what becomes of a record whose invocation failed, and how long to back off.
// The poll loop (mapping-runner.ts, batch-sender.ts) only applies them.

export interface BatchLimits {
  batchSize: number;
  windowMs: number;
  /** Bytes one invocation's event may hold (the sync payload limit). */
  maxBytes: number;
}

export interface Gathered {
  count: number;
  bytes: number;
  /** When the first record of the batch arrived; undefined: none yet. */
  firstAt?: number;
}

/** "send" now, or wait up to `waitMs` for more (Infinity: until a record arrives). */
export type BatchDecision = { send: true } | { send: false; waitMs: number };

export function batchDecision(g: Gathered, limits: BatchLimits, now: number): BatchDecision {
  if (g.count === 0 || g.firstAt === undefined) return { send: false, waitMs: Number.POSITIVE_INFINITY };
  if (g.count >= limits.batchSize || g.bytes >= limits.maxBytes) return { send: true };
  const left = g.firstAt + limits.windowMs - now;
  return left <= 0 ? { send: true } : { send: false, waitMs: left };
}

export interface Sized {
  /** Bytes the record adds to the event. */
  size: number;
  /** It failed in a batch before: it goes alone until it succeeds or is given up. */
  suspect: boolean;
}

/**
 * Cuts records (in order) into invocations: consecutive records while their bytes plus
 * `overhead` fit `maxBytes`; a suspect always alone. A record too large on its own is
 * still sent alone (the function's limit answers it, and it is retried then given up).
 */
export function chunk(records: readonly Sized[], maxBytes: number, overhead: number): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = overhead;
  const flush = () => {
    if (current.length > 0) out.push(current);
    current = [];
    bytes = overhead;
  };
  records.forEach((r, i) => {
    if (r.suspect) {
      flush();
      out.push([i]);
      return;
    }
    if (current.length > 0 && bytes + r.size > maxBytes) flush();
    current.push(i);
    bytes += r.size;
  });
  flush();
  return out;
}

/**
 * What becomes of a record whose invocation failed with a function error: in a batch,
 * it is requeued as a suspect (uncounted: a batchmate may be the poison); alone, its
 * failure counts, and past `maxRetries` it is given up (OnFailure, else the queue's
 * dead-letter exchange).
 */
export function afterFailure(
  soloFailures: number,
  alone: boolean,
  maxRetries: number,
): { verdict: "retry" | "give-up"; soloFailures: number } {
  if (!alone) return { verdict: "retry", soloFailures };
  const failures = soloFailures + 1;
  return { verdict: failures > maxRetries ? "give-up" : "retry", soloFailures: failures };
}

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** The wait before the next poll after `attempt` consecutive empty polls or errors (1-based): doubling, capped. */
export function backoffMs(attempt: number, policy: BackoffPolicy): number {
  if (attempt <= 0) return 0;
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
}
