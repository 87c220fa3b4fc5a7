// The page tokens of the Logs API, as plain text a client hands back unchanged:
// GetLogEvents' `f/<ts>/<id>` (events after that position) and `b/<ts>/<id>` (events
// before it), FilterLogEvents' `c/<ts>/<id>` (where the last page stopped scanning), and
// the Describe operations' base64url of where their last page ended. Parsing answers
// undefined for anything it did not write. Pure.
import type { Cursor } from "../store/log-event-store.js";

const EVENT_TOKEN = /^([fbc])\/(-?\d{1,16})\/(\d{1,19})$/;

/** The largest event id, so that a cursor (ts, MAX_ID) stands after every event of ts. */
export const MAX_ID = 9223372036854775807n;

export type EventTokenKind = "f" | "b" | "c";

export function eventToken(kind: EventTokenKind, c: Cursor): string {
  return `${kind}/${c.ts}/${c.id}`;
}

export function parseEventToken(token: string): { kind: EventTokenKind; cursor: Cursor } | undefined {
  const m = EVENT_TOKEN.exec(token);
  if (!m) return undefined;
  const id = BigInt(m[3] as string);
  if (id > MAX_ID) return undefined;
  return { kind: m[1] as EventTokenKind, cursor: { ts: Number(m[2]), id } };
}

/** The position just before every event of `ts`: events after it are those at `ts` or later. */
export const beforeTime = (ts: number): Cursor => ({ ts: ts - 1, id: MAX_ID });

/** The position just after every event of `ts`. */
export const afterTime = (ts: number): Cursor => ({ ts: ts + 1, id: 0n });

export function nameToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** The value of a nameToken, if `token` is one and `valid` accepts it. */
export function parseNameToken<T>(token: string, valid: (v: unknown) => v is T): T | undefined {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(token)) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    return valid(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
