// Counts the OOM kills in each of the backend's containers from the engine's "oom"
// events: the Docker backend's fallback on a node that cannot read its containers'
// memory cgroups (where the kernel's own count, and its per-cgroup OOM
// notification, live). The engine reports every kill in a container, of its first
// process or of a child. One event stream serves the node, opened at the first
// need: it first reads what the engine kept of the events since the backend was
// made, to the end (so that the first answer counts the kills before it), then
// follows new ones. A stream that breaks is opened again after a growing pause,
// from a little before it broke (an event seen twice is known by its time); until
// then the counts are unknown. An event trails its kill by milliseconds (measured:
// it comes ahead of the killed process's parent noticing the death), so one that
// comes after the runtime has answered is rare; it is counted at the next look.
import type Docker from "dockerode";

const FILTERS: Docker.GetEventsOptions["filters"] = { type: ["container"], event: ["oom"] };
/** Longest a look waits for the kept events to be read; past it, the counts are unknown. */
export const CATCH_UP_LIMIT_MS = 1_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** How far before a break the reopened stream starts. */
const OVERLAP_MS = 1_000;

interface Tally {
  kills: number;
  /** The time (ns, as the engine gives it) of the last event counted. */
  lastAt: number;
}

export class DockerOomTally {
  private readonly tallies = new Map<string, Tally>();
  /** Whether the stream (re)opened last has read the kept events; undefined before the first need. */
  private caughtUp: Promise<boolean> | undefined;
  private live = false;
  private abort = new AbortController();
  private retryMs = RETRY_FIRST_MS;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  /** `sinceMs`: the earliest time a kill of the backend's containers can have happened. */
  constructor(
    private readonly docker: Pick<Docker, "getEvents">,
    private readonly sinceMs = Date.now(),
  ) {}

  /** Counts `id`'s kills from now on (the backend created it); others' events are ignored. */
  track(id: string): void {
    this.tallies.set(id, { kills: 0, lastAt: 0 });
  }

  forget(id: string): void {
    this.tallies.delete(id);
  }

  /** `id`'s kills so far, or undefined while the engine's events cannot be followed. */
  async kills(id: string): Promise<number | undefined> {
    this.caughtUp ??= this.open(this.sinceMs);
    // Not following: wait (a while) for a stream being opened to catch up.
    if (!this.live) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CATCH_UP_LIMIT_MS);
      });
      await Promise.race([this.caughtUp, limit]).finally(() => clearTimeout(timer));
    }
    // Events the engine has sent already may wait in the socket's buffer: one turn of the
    // event loop reads them, so a kill whose event came just before the answer is counted.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.live ? (this.tallies.get(id)?.kills ?? 0) : undefined;
  }

  close(): void {
    this.closed = true;
    this.live = false;
    clearTimeout(this.retry);
    this.abort.abort();
  }

  /** Reads the events kept since `fromMs` to the end, then follows new ones; resolves whether it got that far. */
  private async open(fromMs: number): Promise<boolean> {
    const abortSignal = this.abort.signal;
    try {
      const now = Date.now();
      await this.read(
        await this.docker.getEvents({ since: fromMs / 1000, until: now / 1000, filters: FILTERS, abortSignal }),
      );
      const stream = await this.docker.getEvents({ since: now / 1000, filters: FILTERS, abortSignal });
      if (this.closed) return false;
      this.live = true;
      this.retryMs = RETRY_FIRST_MS;
      const broke = () => this.reopenLater(Date.now() - OVERLAP_MS);
      this.read(stream).then(broke, broke);
      return true;
    } catch {
      this.reopenLater(fromMs);
      return false;
    }
  }

  private reopenLater(fromMs: number): void {
    this.live = false;
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.caughtUp = this.open(fromMs);
    }, this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  /** Counts the events of `stream`; settles when it ends or breaks. */
  private read(stream: NodeJS.ReadableStream): Promise<void> {
    return new Promise((resolve, reject) => {
      let rest = "";
      stream.on("data", (chunk: Buffer | string) => {
        const lines = (rest + chunk.toString()).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) this.count(line);
      });
      stream.once("end", () => resolve());
      stream.once("close", () => resolve());
      stream.once("error", reject);
    });
  }

  private count(line: string): void {
    let event: { id?: unknown; timeNano?: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    const tally = typeof event.id === "string" ? this.tallies.get(event.id) : undefined;
    const at = Number(event.timeNano);
    if (!tally || !(at > tally.lastAt)) return;
    tally.kills++;
    tally.lastAt = at;
  }
}
