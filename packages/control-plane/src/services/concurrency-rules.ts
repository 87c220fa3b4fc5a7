// The limits an invoke is checked against: the function's reserved concurrency and
// the account's unreserved pool (the account limit minus all reservations). An
// account's reservations are read together (a function absent has none, so a new
// function's first invoke reads nothing more) and kept: for `cacheMs`, or, while
// Postgres' notices of changed reservations are heard (`notices`, migration 038),
// for the longer `notices.cacheMs`, each notice forgetting its account at once. A
// change through this control plane is forgotten here at once too (`forget`).
import type { ConcurrencyLimiter } from "../routing/concurrency.js";
import type { SettingsStore } from "../store/settings-store.js";
import type { ConcurrencyRules } from "./invoke-service.js";

export interface CachedConcurrencyRules extends ConcurrencyRules {
  /** Drops what is cached of the account's reservations: one of them changed. */
  forget(accountId: string): void;
  /** Drops every account's: the notices of changes were (re)gained or lost. */
  forgetAll(): void;
}

/** Whether changes are being heard (pg-listener.ts), and how long an account read meanwhile is kept. */
export interface ReservationNotices {
  listening(): boolean;
  cacheMs: number;
}

/** How long an account's reservations are kept while changes to them are heard: the worst case should a notice go astray unnoticed. */
export const NOTICED_RESERVATIONS_MS = 10_000;

interface Reservations {
  /** When the read began. */
  at: number;
  /** Whether notices were heard when it began (and, being kept, ever since). */
  noticed: boolean;
  byFunction: Map<string, number>;
  total: number;
}

export function createConcurrencyRules(
  settings: Pick<SettingsStore, "reservationsOf">,
  limiter: ConcurrencyLimiter,
  accountLimit: number,
  cacheMs = 1_000,
  now = Date.now,
  notices?: ReservationNotices,
): CachedConcurrencyRules {
  const accounts = new Map<string, Reservations>();
  // Bumped by every forget: a read begun before it may carry the old value, and is
  // not kept (it still serves the invoke that made it).
  let generation = 0;
  /** Reads under way, shared by the invokes that find the account uncached meanwhile (a burst reads once). */
  const reading = new Map<string, { generation: number; read: Promise<Reservations> }>();
  const isFresh = (r: Reservations | undefined): r is Reservations =>
    r !== undefined && now() - r.at < (r.noticed && notices ? notices.cacheMs : cacheMs);

  async function read(accountId: string): Promise<Reservations> {
    const at = now();
    const noticed = notices?.listening() ?? false;
    const readFrom = generation;
    const byFunction = await settings.reservationsOf(accountId);
    let total = 0;
    for (const n of byFunction.values()) total += n;
    const r = { at, noticed, byFunction, total };
    if (readFrom === generation) {
      if (accounts.size > 50_000) accounts.clear();
      accounts.set(accountId, r);
    }
    return r;
  }

  function shared(accountId: string): Promise<Reservations> {
    const under = reading.get(accountId);
    if (under && under.generation === generation) return under.read;
    const entry = { generation, read: read(accountId) };
    reading.set(accountId, entry);
    const done = () => {
      if (reading.get(accountId) === entry) reading.delete(accountId);
    };
    entry.read.then(done, done);
    return entry.read;
  }

  return {
    limiter,
    async limitsFor(accountId, functionName) {
      const cached = accounts.get(accountId);
      const r = isFresh(cached) ? cached : await shared(accountId);
      return { reserved: r.byFunction.get(functionName) ?? null, unreservedLimit: Math.max(0, accountLimit - r.total) };
    },
    forget(accountId) {
      generation++;
      accounts.delete(accountId);
    },
    forgetAll() {
      generation++;
      accounts.clear();
    },
  };
}
