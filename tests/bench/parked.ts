// Waits, without sleeping, until a function's warm container has its runtime parked
// on /next (the state an idle warm container is in), so that a timed warm invoke
// starts from it. Spins on setImmediate rather than a timer: an idle wait would let
// the machine's CPUs doze, and the timed call would then pay their wake-up.
import type { RunningInvoker } from "@stratus/invoker";

export async function untilParked(
  pool: RunningInvoker["pool"],
  functionName: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  // No container yet: the call is the function's first (a cold start), nothing to wait for.
  while (pool.containerIdsOf(functionName).length > 0 && pool.runtimesWaiting(functionName) === 0) {
    if (performance.now() > deadline) throw new Error(`no runtime of ${functionName} came back to /next`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
