// The end-of-output markers between Stratus runtime clients and the invoker. With each
// event on /next the invoker hands the runtime a fresh secret nonce (LOG_NONCE_HEADER),
// which the runtime keeps from the function; after the run's output it prints
// `\x1eSTRATUS-END <requestId> <nonce>` on each stream written, then names those
// streams when it posts the result (LOG_MARKERS_HEADER). Output a function prints
// cannot carry a nonce it never saw, so a marker-looking line of its own (its input
// logged, say) is ordinary output.
import { randomHex } from "@stratus/shared";

export const LOG_MARKER_PREFIX = "\u001eSTRATUS-END ";

/** Sent to the runtime with each event on /next: the nonce its markers for that run must carry. */
export const LOG_NONCE_HEADER = "stratus-log-nonce";

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

/** A fresh nonce: 128 random bits, never guessed and never issued twice. */
export function newNonce(): string {
  return randomHex(16);
}

/** A marker a record ends with: where in the record it starts, and what it carries. */
export interface Marker {
  at: number;
  requestId: string;
  nonce: string;
}

/** The longest marker a runtime prints: its prefix, a request id of up to 64 characters, a space, a nonce. */
export const MARKER_MAX_CHARS = LOG_MARKER_PREFIX.length + 64 + 1 + 32;

const CARRIES = /^(\S+) ([0-9a-f]{32})\r*$/;

/**
 * The marker `raw` ends with, if it is well formed; undefined for a record without
 * one. Output not ended by a newline runs into the marker that follows it, so the
 * marker is the last prefix in the record, and nothing may follow its nonce.
 */
export function parseMarker(raw: string): Marker | undefined {
  const at = raw.lastIndexOf(LOG_MARKER_PREFIX);
  if (at < 0) return undefined;
  const found = CARRIES.exec(raw.slice(at + LOG_MARKER_PREFIX.length));
  if (!found) return undefined;
  return { at, requestId: found[1] as string, nonce: found[2] as string };
}
