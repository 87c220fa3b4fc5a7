// Collects one container's stdout and stderr and cuts them into per-invocation logs.
// Output between invocations (init) goes to the next invocation's log. Runtimes of
// ours end each invocation's output with a marker line on both streams (printed
// before they post the result), so an invocation's lines are exactly those before
// its markers; for other runtimes the log is complete once the streams have been
// quiet for a moment. Each invocation's log is capped, with a truncation marker.
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/** Printed by Stratus bootstraps on stdout and stderr after each invocation. */
export const LOG_MARKER_PREFIX = "\u001eSTRATUS-END ";

const QUIET_MS = 15;
const MAX_WAIT_MS = 250;

interface Entry {
  seq: number;
  line: string;
}

export class ContainerLog {
  private seq = 0;
  private readonly pending: Entry[][];
  /** Per request id and stream: the lines that stream had before its marker. */
  private readonly marked = new Map<string, Map<number, Entry[]>>();
  private usesMarkers = false;
  private lastLineAt = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly streams: Readable[],
    private readonly maxBytes: number,
  ) {
    this.pending = streams.map(() => []);
    streams.forEach((stream, i) => {
      const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      lines.on("line", (line) => this.onLine(i, line));
      lines.on("close", () => this.wake());
    });
  }

  private onLine(stream: number, line: string): void {
    this.lastLineAt = Date.now();
    if (line.startsWith(LOG_MARKER_PREFIX)) {
      this.usesMarkers = true;
      const id = line.slice(LOG_MARKER_PREFIX.length).trim();
      const byStream = this.marked.get(id) ?? new Map<number, Entry[]>();
      byStream.set(stream, this.pending[stream] as Entry[]);
      this.pending[stream] = [];
      this.marked.set(id, byStream);
      // Markers of invocations nobody asks about (a forged id) must not pile up.
      if (this.marked.size > 64) this.marked.delete(this.marked.keys().next().value as string);
      this.wake();
      return;
    }
    (this.pending[stream] as Entry[]).push({ seq: this.seq++, line });
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  private isComplete(requestId: string): boolean {
    return (this.marked.get(requestId)?.size ?? 0) === this.streams.length;
  }

  /**
   * Waits until the output of `requestId` is complete (its marker on every stream,
   * quiet streams for runtimes without markers, or a time limit) and returns its
   * lines in arrival order, capped.
   */
  async take(requestId: string): Promise<string[]> {
    const started = Date.now();
    const deadline = started + MAX_WAIT_MS;
    while (!this.isComplete(requestId) && Date.now() < deadline) {
      // Without markers: output may still be on its way, so wait for a quiet moment
      // that starts no earlier than this call.
      if (!this.usesMarkers && Date.now() - Math.max(this.lastLineAt, started) >= QUIET_MS) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, this.usesMarkers ? Math.max(1, deadline - Date.now()) : QUIET_MS);
        this.waiters.add(done);
      });
    }
    const byStream = this.marked.get(requestId);
    this.marked.delete(requestId);
    const entries = this.streams.flatMap((_, i) => {
      const before = byStream?.get(i);
      if (before) return before;
      // No marker on this stream: everything it has printed so far is this invocation's.
      const rest = this.pending[i] as Entry[];
      this.pending[i] = [];
      return rest;
    });
    return this.cap(entries.sort((a, b) => a.seq - b.seq).map((e) => e.line));
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
