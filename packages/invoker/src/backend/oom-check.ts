// Whether a stopped container was OOM-killed, from what the engine tells about it.
// Docker (20.10) sets State.OOMKilled only when containerd's OOM event reaches it
// before the exit event. The two race: when the exit wins, the flag stays false and
// Docker's "oom" event for the container follows the exit, usually by milliseconds.
// So a SIGKILL exit without the flag, that the backend did not cause itself, is an OOM
// kill if an "oom" event of the container turns up: one already past (the engine
// replays recent events) or one arriving within a grace period after the exit. A
// function can SIGKILL itself (`kill -9 $$`) or exit with 137; then no event comes,
// and the exit is an ordinary one.

export const SIGKILL_EXIT = 137;

/** How long after the exit an "oom" event may still arrive. */
export const OOM_EVENT_GRACE_MS = 1_000;

/**
 * The longest the check waits on the engine in all (inspect included); past it, the
 * answer is no OOM. An invocation waits on this answer, so a stuck engine must not
 * hold it for good, while a slow one still gets to answer.
 */
export const OOM_CHECK_LIMIT_MS = 5_000;

/**
 * Resolves true at the first "oom" event of the container from `sinceMs` on (past
 * ones included), false once `untilMs` has passed without one; gives up, resolving
 * false, when `signal` aborts.
 */
export type OomEvents = (sinceMs: number, untilMs: number, signal: AbortSignal) => Promise<boolean>;

/** What the engine can tell about one stopped container. */
export interface OomEvidence {
  /** The engine's own OOMKilled flag, and when the container started (earlier events are not its). */
  inspect(): Promise<{ oomKilledFlag: boolean; startedAtMs: number }>;
  events: OomEvents;
}

/**
 * Whether the container that stopped with `exit` was OOM-killed; `stoppedByUs`: the
 * backend stopped it (removal), so a SIGKILL was ours, not the kernel's. The events
 * are asked only when the flag cannot say.
 */
export function checkOomKilled(
  exit: { exitCode: number; stoppedByUs: boolean },
  engine: OomEvidence,
): Promise<boolean> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), OOM_CHECK_LIMIT_MS);
  });
  const check = async () => {
    const { oomKilledFlag, startedAtMs } = await engine.inspect();
    if (oomKilledFlag) return true;
    if (exit.exitCode !== SIGKILL_EXIT || exit.stoppedByUs) return false;
    return engine.events(startedAtMs, Date.now() + OOM_EVENT_GRACE_MS, abort.signal);
  };
  return Promise.race([check().catch(() => false), limit]).finally(() => {
    clearTimeout(timer);
    abort.abort();
  });
}
