// How results reach the user: text for people, or (--output json) one JSON document
// on stdout for scripts. Status lines and progress go to stderr and only in text
// mode, so stdout carries nothing but the result.
import type { Writable } from "node:stream";

export type OutputMode = "text" | "json";

export interface Io {
  mode: OutputMode;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

/** Prints a command's result: `data` as JSON, or `text` (a line or lines). */
export function emit(io: Io, data: unknown, text: string | string[]): void {
  if (io.mode === "json") io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else {
    const lines = Array.isArray(text) ? text : [text];
    if (lines.length) io.stdout.write(`${lines.join("\n")}\n`);
  }
}

/** A status line for people (to stderr), silent under --output json. */
export function status(io: Io, line: string): void {
  if (io.mode === "text") io.stderr.write(`${line}\n`);
}

/** Columns padded to their widest cell, a header row first. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** 1536 → "1.5 KB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
