// Readiness by polling with a deadline, never by sleeping a guessed time.

export interface PollOptions {
  /** What is awaited, for the error when it does not come. */
  what?: string;
  intervalMs?: number;
}

/** Calls `probe` until it returns a value (not undefined); throws once `timeoutMs` has passed. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  { what, intervalMs = 100 }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(what ? `${what}: not within ${timeoutMs} ms` : "condition not met in time");
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls `check` until it is true; throws, naming `what`, once `timeoutMs` has passed. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100) {
  await waitFor(async () => ((await check()) ? true : undefined), timeoutMs, { what, intervalMs });
}
