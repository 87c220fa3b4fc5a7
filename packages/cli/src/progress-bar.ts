// The upload's progress bar (cli-progress) on stderr. It draws only on a terminal;
// elsewhere (a pipe, CI, a log file) one line says what was sent, once it is sent.
import { SingleBar } from "cli-progress";
import { bytes, type Io } from "./output.js";
import type { OnBytes } from "./upload-progress.js";

export interface Progress {
  onBytes: OnBytes;
  /** Ends the bar (and prints the one line when there is no terminal). */
  done(): void;
}

export function uploadProgress(io: Io, label: string): Progress {
  if (io.mode === "json") return { onBytes: () => undefined, done: () => undefined };
  let total = 0;
  let sent = 0;
  const bar = io.stderr.isTTY
    ? new SingleBar({
        stream: io.stderr,
        format: `${label} [{bar}] {percentage}% | {sentText} / {totalText}`,
        barCompleteChar: "█",
        barIncompleteChar: "░",
        hideCursor: true,
        fps: 10,
      })
    : undefined;
  let started = false;
  return {
    onBytes(s, t) {
      sent = s;
      total = t;
      const payload = { sentText: bytes(s), totalText: bytes(t) };
      if (!bar) return;
      if (!started) {
        bar.start(t, s, payload);
        started = true;
      } else {
        bar.setTotal(t);
        bar.update(s, payload);
      }
    },
    done() {
      if (bar && started) bar.stop();
      else if (!bar && total) io.stderr.write(`${label}: sent ${bytes(sent)} of ${bytes(total)}\n`);
    },
  };
}
