// Collects one container's stdout and stderr and cuts them into per-invocation logs
// of log records (log-records.ts), each capped with a truncation line. Output between
// invocations (init) goes to the next invocation's log. Runtimes of ours end a run's
// output on each stream written with a marker carrying the secret nonce issued for
// that run (log-markers.ts); for other runtimes a log is complete once the streams
// have been quiet for a moment. The wait for markers outlasts a stalled engine stream,
// and ends at once when the cap is passed or the streams close.
// A marker counts only with the nonce this container was issued for that run, once
// per stream; anything else marker-looking (no nonce, a wrong or spent one, another
// request id) stays in the log as output, where it was printed. A function that reads
// its runtime's memory (an inspector, Python's frames) can learn its current nonce,
// and so cut its logs where its runtime would not (end one early, the rest going to
// its container's next log). That moves or loses only lines of its own container,
// one function version's, which it could as well print later or not at all; no other
// container's log takes that nonce, as it was never issued there.
import type { Readable } from "node:stream";
import { MARKER_MAX_CHARS, newNonce, parseMarker } from "./log-markers.js";
import { RecordReader, recordText } from "./log-records.js";

/** Without markers: the log is complete once the streams have been quiet this long. */
const QUIET_MS = 15;
/**
 * With markers: stop waiting for them once the streams have been quiet this long.
 * The runtime printed them before answering, so only a stuck engine delays them.
 */
const MARKER_QUIET_MS = 2_000;
/** However long output keeps coming, no wait lasts longer than this. */
const MAX_WAIT_MS = 10_000;

interface Entry {
  seq: number;
  line: string;
  /** When it was printed (epoch ms). */
  at: number;
}

/** A line of a run's log and when it was printed (epoch ms). */
export interface TimedLine {
  line: string;
  at: number;
}

/** One run a nonce was issued for. */
interface Run {
  requestId: string;
  /** Per stream: the lines before the run's marker on it, once that has come. */
  before: Map<number, Entry[]>;
  /** Whether its log has been cut (take() is done with it). */
  cut: boolean;
  /** Streams whose marker its cut log was handed out without: they may still come. */
  owed: Set<number>;
}

/** Runs kept at most: one per invocation in flight, plus cut ones still owed a late marker. */
const MAX_RUNS = 64;

export class ContainerLog {
  private seq = 0;
  private readonly readers: RecordReader[];
  private readonly pending: Entry[][];
  /** Bytes (with newlines) of each stream's pending lines. */
  private readonly pendingBytes: number[];
  /** The runs issued a nonce, by nonce, oldest first. */
  private readonly runs = new Map<string, Run>();
  /** The latest take(): takes cut in call order, which is the order of the runs. */
  private taking: Promise<unknown> = Promise.resolve();
  private usesMarkers: boolean;
  private lastOutputAt = 0;
  private openStreams: number;
  private readonly waiters = new Set<() => void>();

  /**
   * `opts.markers`: the runtime is known to print markers, so even its first
   * invocation waits for them (else markers are noticed when they first show).
   */
  constructor(
    private readonly streams: Readable[],
    private readonly maxBytes: number,
    opts: { markers?: boolean } = {},
  ) {
    this.usesMarkers = opts.markers ?? false;
    this.pending = streams.map(() => []);
    this.pendingBytes = streams.map(() => 0);
    this.openStreams = streams.length;
    // A record longer than the cap is cut from the log anyway: no piece need be longer,
    // but the last, which keeps a marker at its end whole.
    this.readers = streams.map((stream, i) => {
      // Output counts as it comes, records or not (a progress bar that never ends its line).
      stream.on("data", () => {
        this.lastOutputAt = Date.now();
      });
      return new RecordReader(
        stream,
        maxBytes,
        (raw) => this.onRecord(i, raw),
        () => {
          this.openStreams--;
          this.wake();
        },
        MARKER_MAX_CHARS,
      );
    });
  }

  /**
   * A fresh nonce for a run of `requestId` about to be handed to the runtime: only
   * markers carrying it end that run's output, once per stream. Pass it to take().
   */
  issue(requestId: string): string {
    const nonce = newNonce();
    this.runs.set(nonce, { requestId, before: new Map(), cut: false, owed: new Set() });
    // A container that died owes markers that never come: keep the list short.
    if (this.runs.size > MAX_RUNS) this.runs.delete(this.runs.keys().next().value as string);
    return nonce;
  }

  private onRecord(stream: number, raw: string): void {
    const marker = parseMarker(raw);
    const run = marker && this.runs.get(marker.nonce);
    if (!marker || !run || run.requestId !== marker.requestId || !this.awaits(run, stream)) {
      this.onLine(stream, recordText(raw));
      return;
    }
    // Output not ended by a newline (a progress bar's "50%\r", a bare write) runs into the marker.
    const before = recordText(raw.slice(0, marker.at));
    if (before !== "") this.onLine(stream, before);
    this.onMarker(stream, marker.nonce, run);
  }

  /** Whether `run` can still take a marker on `stream`. */
  private awaits(run: Run, stream: number): boolean {
    return run.cut ? run.owed.has(stream) : !run.before.has(stream);
  }

  private onMarker(stream: number, nonce: string, run: Run): void {
    this.usesMarkers = true;
    const lines = this.pending[stream] as Entry[];
    this.pending[stream] = [];
    this.pendingBytes[stream] = 0;
    if (run.cut) {
      // The log this marker ends was handed out without it: its late lines go with it.
      run.owed.delete(stream);
      if (run.owed.size === 0) this.runs.delete(nonce);
      return;
    }
    run.before.set(stream, lines);
    this.wake();
  }

  private onLine(stream: number, line: string): void {
    (this.pending[stream] as Entry[]).push({ seq: this.seq++, line, at: Date.now() });
    this.pendingBytes[stream] = (this.pendingBytes[stream] as number) + Buffer.byteLength(line) + 1;
    // A waiting take() can finish once the output has passed the cap.
    if (this.waiters.size > 0 && this.pendingBytes.reduce((a, b) => a + b, 0) > this.maxBytes) this.wake();
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Whether `run` has its marker on every `expected` stream. */
  private isComplete(run: Run | undefined, expected: readonly number[]): boolean {
    return run !== undefined && expected.every((i) => run.before.has(i));
  }

  /** Bytes of `run`'s output so far: before its marker where that has come, else all pending. */
  private bytesOf(run: Run | undefined): number {
    return this.streams.reduce((sum, _, i) => {
      const before = run?.before.get(i);
      if (!before) return sum + (this.pendingBytes[i] as number);
      return before.reduce((n, e) => n + Buffer.byteLength(e.line) + 1, sum);
    }, 0);
  }

  /**
   * Waits until the output of the run issued `nonce` is complete (its marker on every
   * stream, or on the `marked` ones when the runtime said which it marked; for
   * runtimes without markers, or a run never issued one, quiet streams), has passed
   * the cap, or has stopped coming, and returns its lines in arrival order, capped.
   * Takes cut in call order.
   */
  take(nonce: string | undefined, marked?: readonly number[]): Promise<string[]> {
    return this.takeTimed(nonce, marked).then((lines) => lines.map((l) => l.line));
  }

  /** As take(), each line with when it was printed. */
  takeTimed(nonce: string | undefined, marked?: readonly number[]): Promise<TimedLine[]> {
    const mine = this.taking.then(() => this.cut(nonce, marked));
    this.taking = mine.catch(() => undefined);
    return mine;
  }

  private async cut(nonce: string | undefined, marked: readonly number[] | undefined): Promise<TimedLine[]> {
    const run = nonce === undefined ? undefined : this.runs.get(nonce);
    const expected = marked ?? this.streams.map((_, i) => i);
    const started = Date.now();
    const deadline = started + MAX_WAIT_MS;
    const quiet = this.usesMarkers ? MARKER_QUIET_MS : QUIET_MS;
    while (this.openStreams > 0 && !this.isComplete(run, expected) && this.bytesOf(run) <= this.maxBytes) {
      // Output may still be on its way: wait for a quiet moment that starts no earlier than this call.
      const quietFor = Date.now() - Math.max(this.lastOutputAt, started);
      const wait = Math.min(quiet - quietFor, deadline - Date.now());
      if (wait <= 0) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, wait);
        this.waiters.add(done);
      });
    }
    const entries = this.streams.flatMap((_, i) => {
      const before = run?.before.get(i);
      if (before) return before;
      if (run && this.usesMarkers && expected.includes(i)) run.owed.add(i);
      // No marker on this stream: everything it has printed so far is this invocation's,
      // a line it has not ended included.
      (this.readers[i] as RecordReader).flush();
      const rest = this.pending[i] as Entry[];
      this.pending[i] = [];
      this.pendingBytes[i] = 0;
      return rest;
    });
    if (run) this.retire(nonce as string, run);
    return this.cap(entries.sort((a, b) => a.seq - b.seq).map((e) => ({ line: e.line, at: e.at })));
  }

  /** `run`'s log is cut: its nonce now ends nothing but the late markers it is owed. */
  private retire(nonce: string, run: Run): void {
    run.cut = true;
    run.before.clear();
    if (run.owed.size === 0) this.runs.delete(nonce);
  }

  private cap(lines: TimedLine[]): TimedLine[] {
    let bytes = 0;
    for (let i = 0; i < lines.length; i++) {
      bytes += Buffer.byteLength((lines[i] as TimedLine).line) + 1;
      if (bytes > this.maxBytes) {
        return [...lines.slice(0, i), { line: `[stratus] log truncated at ${this.maxBytes} bytes`, at: Date.now() }];
      }
    }
    return lines;
  }
}
