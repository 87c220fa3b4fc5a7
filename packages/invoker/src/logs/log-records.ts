// Cuts one container output stream into log records, as Lambda does: a record ends
// at "\n" and only there. Lambda's runtimes (and Stratus's) write the newlines inside
// one message (console.log("a\nb"), a logged traceback) as "\r", so that a message
// stays one record; stored, the record reads as the message did, with its newlines
// (what CloudWatch and the Tail log show). A "\r" of any other program (a progress
// bar redrawing its line) is no end of a record either, and reads as a line break.
// A record longer than a piece (the per-invocation log cap: more would be cut from
// the log anyway) is handed out in pieces, so a stream that never ends a line holds
// no more than about one piece in memory; a record's end (where a runtime's marker
// would be) is never split between pieces.
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/**
 * A record as stored: carriage returns at its ends dropped (one at the start moves
 * the cursor nowhere; one at the end is a CRLF line end), the inner ones made
 * newlines (a runtime's escaped newlines, another program's redrawn lines).
 */
export function recordText(raw: string): string {
  if (!raw.includes("\r")) return raw; // most records: nothing to do
  return raw.replace(/^\r+|\r+$/g, "").replaceAll("\r", "\n");
}

export class RecordReader {
  private readonly decoder = new StringDecoder("utf8");
  /** The record begun and not yet ended. */
  private partial = "";
  private ended = false;

  /**
   * Calls `onRecord` with each raw record of `stream` (without its "\n"; see
   * recordText), records longer than `maxChars` (at least 2) in pieces of that size
   * but the last, which holds at least the record's last `keep` characters (and so
   * may be that much longer), and `onEnd` once the stream has ended (after its last record).
   */
  constructor(
    stream: Readable,
    private readonly maxChars: number,
    private readonly onRecord: (raw: string) => void,
    onEnd: () => void,
    private readonly keep = 0,
  ) {
    stream.on("data", (chunk: Buffer) => this.feed(this.decoder.write(chunk)));
    const end = () => {
      if (this.ended) return;
      this.ended = true;
      this.feed(this.decoder.end());
      this.flush();
      onEnd();
    };
    stream.on("end", end);
    stream.on("close", end);
  }

  /** Hands out the record begun so far, if any, as if it had ended (its output is judged complete). */
  flush(): void {
    if (this.partial === "") return;
    const raw = this.partial;
    this.partial = "";
    this.onRecord(raw);
  }

  private feed(text: string): void {
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const raw = this.partial + text.slice(start, nl);
      this.partial = "";
      start = nl + 1;
      this.onRecord(this.pieces(raw));
    }
    this.partial = this.pieces(this.partial + text.slice(start));
  }

  /** Hands out whole pieces from the front of `raw` while more than a piece and `keep` would be left; returns the rest. */
  private pieces(raw: string): string {
    let rest = raw;
    while (rest.length > this.maxChars + this.keep) {
      // Never between the two halves of a surrogate pair.
      const high = rest.charCodeAt(this.maxChars - 1);
      const cut = high >= 0xd800 && high <= 0xdbff ? this.maxChars - 1 : this.maxChars;
      this.onRecord(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    return rest;
  }
}
