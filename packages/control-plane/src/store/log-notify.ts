// Postgres LISTEN/NOTIFY for fresh log events, so a live tail served by one control
// plane sees lines ingested by another. A notice names, per account and group, the id
// ranges of the events one transaction wrote (never their text: NOTIFY carries at most
// 8000 bytes), and the process that wrote them (which has told its own tails already).
// The listener is one dedicated connection (pg-listener.ts), opened on first use and
// reopened after a failure while anyone still listens.
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import { createPgListener } from "./pg-listener.js";

export const LOG_EVENTS_CHANNEL = "stratus_log_events";
const MAX_PAYLOAD = 7000;

export interface LogNotice {
  /** The process that wrote the events. */
  origin: string;
  accountId: string;
  group: string;
  /** Inclusive id ranges, as decimal strings. */
  ranges: [string, string][];
}

/** The notices (as NOTIFY payloads) of freshly inserted event rows. */
export function notices(rows: { id: string; account_id: string; group_name: string }[], origin: string): string[] {
  const byGroup = new Map<string, { a: string; g: string; ids: bigint[] }>();
  for (const r of rows) {
    const k = `${r.account_id}\0${r.group_name}`;
    const e = byGroup.get(k) ?? { a: r.account_id, g: r.group_name, ids: [] };
    e.ids.push(BigInt(r.id));
    byGroup.set(k, e);
  }
  const out: string[] = [];
  for (const { a, g, ids } of byGroup.values()) {
    ids.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    let ranges: [string, string][] = [];
    const flush = () => {
      if (ranges.length > 0) out.push(JSON.stringify({ o: origin, a, g, r: ranges }));
      ranges = [];
    };
    let lo = ids[0] as bigint;
    let hi = lo;
    const close = () => {
      ranges.push([String(lo), String(hi)]);
      if (JSON.stringify(ranges).length + g.length > MAX_PAYLOAD) flush();
    };
    for (const id of ids.slice(1)) {
      if (id === hi + 1n) hi = id;
      else {
        close();
        lo = id;
        hi = id;
      }
    }
    close();
    flush();
  }
  return out;
}

export function parseNotice(payload: string): LogNotice | undefined {
  try {
    const v = JSON.parse(payload) as { o?: unknown; a?: unknown; g?: unknown; r?: unknown };
    const ranges = v.r;
    if (typeof v.o !== "string" || typeof v.a !== "string" || typeof v.g !== "string" || !Array.isArray(ranges)) {
      return undefined;
    }
    const ok = ranges.every((r) => Array.isArray(r) && r.length === 2 && r.every((x) => /^\d{1,19}$/.test(String(x))));
    return ok ? { origin: v.o, accountId: v.a, group: v.g, ranges: ranges as [string, string][] } : undefined;
  } catch {
    return undefined;
  }
}

export interface LogNoticeListener {
  /** Starts listening (once; later calls do nothing) and reconnects after failures until stopped. */
  start(): void;
  stop(): Promise<void>;
}

/** Listens on LOG_EVENTS_CHANNEL over a connection of its own, made with `pool`'s settings. */
export function createLogNoticeListener(
  pool: Pool,
  onNotice: (n: LogNotice) => void,
  log: Pick<Logger, "warn">,
): LogNoticeListener {
  const notice = (payload: string) => {
    const n = parseNotice(payload);
    if (n) onNotice(n);
  };
  return createPgListener(pool, LOG_EVENTS_CHANNEL, { notice }, log, "live tail");
}
