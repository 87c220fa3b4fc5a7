// Waits, without sleeping, until a function's warm container has its runtime parked
// on /next (the state an idle warm container is in), so that a timed warm invoke
// starts from it. Spins on setImmediate rather than a timer: an idle wait would let
// the machine's CPUs doze, and the timed call would then pay their wake-up. Each
// turn allocates next to nothing, so that the spin's garbage does not bring the next
// scavenge forward into the timed calls.
import type { RunningInvoker } from "@stratus/invoker";

export function untilParked(pool: RunningInvoker["pool"], functionName: string, timeoutMs = 10_000): Promise<void> {
  // No container yet: the call is the function's first (a cold start), nothing to wait for.
  if (pool.containerIdsOf(functionName).length === 0) return Promise.resolve();
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pool.runtimesWaiting(functionName) > 0) resolve();
      else if (performance.now() > deadline) reject(new Error(`no runtime of ${functionName} came back to /next`));
      else setImmediate(check);
    };
    check();
  });
}

/** Waits (polling every millisecond, the freeze takes tens) until a function's idle warm container is frozen. */
export async function untilFrozen(
  pool: RunningInvoker["pool"],
  functionName: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (pool.runtimesFrozen(functionName) === 0) {
    if (performance.now() > deadline) throw new Error(`no container of ${functionName} was frozen`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
