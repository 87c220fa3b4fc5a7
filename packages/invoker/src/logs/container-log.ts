// Collects one container's stdout and stderr and cuts them into per-invocation logs.
// Output between invocations (init) goes to the next invocation's log. Runtimes of
// ours end each invocation's output with a marker line on each stream it wrote to
// (printed before they post the result, which names the marked streams), so an
// invocation's lines are exactly those before its markers; for other runtimes the
// log is complete once the streams have been quiet for a moment. Each invocation's
// log is capped, with a truncation marker.
// Output can trail the result by a long way (a flood drains through Docker after
// the runtime has answered, and a busy engine can stall its stream for hundreds of
// milliseconds), so the wait for markers outlasts such stalls; it ends as soon as
// the cap is passed (the capped log cannot change after that) or the streams close
// (the container is gone, nothing more can come).
// Lines are log records (log-records.ts): one message of a runtime, its newlines
// included, is one record, and output that a runtime did not end with a newline
// still ends where its marker begins.
// One request id can run twice in a row in the same container (an async invocation
// retries under its one id), the second run starting before the first one's markers
// have all arrived: markers of one id are therefore kept in arrival order, and
// takes of one id cut in call order, each run getting its own lines.
import type { Readable } from "node:stream";
import { RecordReader, recordText } from "./log-records.js";

/** Printed by Stratus bootstraps after each invocation, on the streams it wrote to. */
export const LOG_MARKER_PREFIX = "\u001eSTRATUS-END ";

/**
 * Sent by Stratus bootstraps with each result: the streams they printed a marker on
 * ("stdout", "stderr", both comma-separated, or "none"); a stream written to by none
 * of the runtime's own writers since the last marker gets none.
 */
export const LOG_MARKERS_HEADER = "stratus-log-markers";
const STREAM_INDEX: Record<string, number> = { stdout: 0, stderr: 1 };

/** The stream indexes a result's marker header names; undefined if absent or not understood. */
export function markedStreams(header: string | string[] | undefined): number[] | undefined {
  if (typeof header !== "string") return undefined;
  if (header === "none") return [];
  const names = header.split(",");
  if (!names.every((n) => n in STREAM_INDEX)) return undefined;
  return [...new Set(names.map((n) => STREAM_INDEX[n] as number))];
}

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
}

export class ContainerLog {
  private seq = 0;
  private readonly readers: RecordReader[];
  private readonly pending: Entry[][];
  /** Bytes (with newlines) of each stream's pending lines. */
  private readonly pendingBytes: number[];
  /** Per request id and stream: the lines that stream had before each of its markers, oldest first. */
  private readonly marked = new Map<string, Map<number, Entry[][]>>();
  /** Per request id: streams whose marker a finished take() stopped waiting for. */
  private readonly overdue = new Map<string, Set<number>>();
  /** Per request id: the latest take(), which the next take of that id waits for. */
  private readonly taking = new Map<string, Promise<string[]>>();
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
    // A record longer than the cap is cut from the log anyway: no piece need be longer.
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
      );
    });
  }

  private onRecord(stream: number, raw: string): void {
    const at = raw.lastIndexOf(LOG_MARKER_PREFIX);
    if (at < 0) {
      this.onLine(stream, recordText(raw));
      return;
    }
    // Output not ended by a newline (a progress bar's "50%\r", a bare write) runs into the marker.
    const before = recordText(raw.slice(0, at));
    if (before !== "") this.onLine(stream, before);
    this.onMarker(stream, raw.slice(at + LOG_MARKER_PREFIX.length).trim());
  }

  private onMarker(stream: number, id: string): void {
    this.usesMarkers = true;
    const lines = this.pending[stream] as Entry[];
    this.pending[stream] = [];
    this.pendingBytes[stream] = 0;
    // The log this marker ends was handed out without it: its late lines go with it,
    // and a later run of the same id must not take them for its own.
    const late = this.overdue.get(id);
    if (late?.delete(stream)) {
      if (late.size === 0) this.overdue.delete(id);
      return;
    }
    const byStream = this.marked.get(id) ?? new Map<number, Entry[][]>();
    byStream.set(stream, [...(byStream.get(stream) ?? []), lines]);
    this.marked.set(id, byStream);
    // Markers of invocations nobody asks about (a forged id) must not pile up.
    if (this.marked.size > 64) this.marked.delete(this.marked.keys().next().value as string);
    this.wake();
  }

  private onLine(stream: number, line: string): void {
    (this.pending[stream] as Entry[]).push({ seq: this.seq++, line });
    this.pendingBytes[stream] = (this.pendingBytes[stream] as number) + Buffer.byteLength(line) + 1;
    // A waiting take() can finish once the output has passed the cap.
    if (this.waiters.size > 0 && this.pendingBytes.reduce((a, b) => a + b, 0) > this.maxBytes) this.wake();
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** The streams `requestId`'s run marked: those the runtime named, else all. */
  private expectedOf(marked: readonly number[] | undefined): readonly number[] {
    return marked ?? this.streams.map((_, i) => i);
  }

  /** Whether every stream the run marked has a marker of `requestId` waiting. */
  private isComplete(requestId: string, expected: readonly number[]): boolean {
    const byStream = this.marked.get(requestId);
    return expected.every((i) => byStream?.has(i));
  }

  /** Bytes of `requestId`'s output so far: before its oldest marker where there is one, else all pending. */
  private bytesOf(requestId: string, expected: readonly number[]): number {
    const byStream = this.marked.get(requestId);
    return this.streams.reduce((sum, _, i) => {
      const before = expected.includes(i) ? byStream?.get(i)?.[0] : undefined;
      if (!before) return sum + (this.pendingBytes[i] as number);
      return before.reduce((n, e) => n + Buffer.byteLength(e.line) + 1, sum);
    }, 0);
  }

  /** Removes and returns the lines before `requestId`'s oldest marker on `stream`, if it has come. */
  private shiftMarked(requestId: string, stream: number): Entry[] | undefined {
    const byStream = this.marked.get(requestId);
    const queue = byStream?.get(stream);
    const before = queue?.shift();
    if (queue?.length === 0) byStream?.delete(stream);
    if (byStream?.size === 0) this.marked.delete(requestId);
    return before;
  }

  /**
   * Waits until the output of `requestId` is complete (its marker on every stream,
   * or on the `marked` ones when the runtime said which it marked; for runtimes
   * without markers, quiet streams), has passed the cap, or has stopped coming, and
   * returns its lines in arrival order, capped.
   */
  take(requestId: string, marked?: readonly number[]): Promise<string[]> {
    const earlier = this.taking.get(requestId);
    const mine = earlier ? earlier.then(() => this.cut(requestId, marked)) : this.cut(requestId, marked);
    this.taking.set(requestId, mine);
    void mine.finally(() => {
      if (this.taking.get(requestId) === mine) this.taking.delete(requestId);
    });
    return mine;
  }

  private async cut(requestId: string, marked: readonly number[] | undefined): Promise<string[]> {
    const expected = this.expectedOf(marked);
    const started = Date.now();
    const deadline = started + MAX_WAIT_MS;
    const quiet = this.usesMarkers ? MARKER_QUIET_MS : QUIET_MS;
    while (
      this.openStreams > 0 &&
      !this.isComplete(requestId, expected) &&
      this.bytesOf(requestId, expected) <= this.maxBytes
    ) {
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
      // A marker on a stream this run did not mark is a later run's (of the same id).
      const before = expected.includes(i) ? this.shiftMarked(requestId, i) : undefined;
      if (before) return before;
      if (this.usesMarkers && expected.includes(i)) this.owe(requestId, i);
      // No marker on this stream: everything it has printed so far is this invocation's,
      // a line it has not ended included.
      (this.readers[i] as RecordReader).flush();
      const rest = this.pending[i] as Entry[];
      this.pending[i] = [];
      this.pendingBytes[i] = 0;
      return rest;
    });
    return this.cap(entries.sort((a, b) => a.seq - b.seq).map((e) => e.line));
  }

  /** Notes that `requestId`'s marker on `stream` may still come, for a log already cut. */
  private owe(requestId: string, stream: number): void {
    const streams = this.overdue.get(requestId) ?? new Set<number>();
    streams.add(stream);
    this.overdue.set(requestId, streams);
    // A container that died owes markers that never come: keep the list short.
    if (this.overdue.size > 64) this.overdue.delete(this.overdue.keys().next().value as string);
  }

  private cap(lines: string[]): string[] {
    let bytes = 0;
    for (let i = 0; i < lines.length; i++) {
      bytes += Buffer.byteLength(lines[i] as string) + 1;
      if (bytes > this.maxBytes) return [...lines.slice(0, i), `[stratus] log truncated at ${this.maxBytes} bytes`];
    }
    return lines;
  }
}
