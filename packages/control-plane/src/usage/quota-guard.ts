// The invoke path's quota check: a Map lookup against counters cached per account.
// Every `refreshMs` the guard reads the quotas and each quota-bound account's usage
// this month from Postgres; to that it adds every attempt this control plane metered
// whose row that read did not have yet (rows are written after the answer: batched, or
// with an async attempt's result). So it lags by up to one refresh interval only for
// usage metered by other control planes: an account may run past its quota by what
// they serve it in that interval (docs/USAGE.md).
import type { Logger } from "@stratus/shared";
import type { Quota, QuotaStore } from "../store/quota-store.js";
import { attemptKey, type UsageRow, type UsageStore } from "../store/usage-store.js";
import { monthOf, quotaExceeded, quotaVerdict, type Used } from "./quota-verdict.js";
import { gbSecondsOf } from "./usage-row.js";

export interface QuotaGuard {
  /** Throws TooManyRequestsException (429) when the account is at its monthly quota, as last known. */
  check(accountId: string): void;
  /** Counts a metered attempt of this control plane's until a refresh reads its row from Postgres. */
  counted(row: UsageRow): void;
  /** Reads quotas and usage now (after an operator changed a quota here, say). */
  refresh(): Promise<void>;
  stop(): void;
}

export interface QuotaGuardOptions {
  refreshMs: number;
  log: Pick<Logger, "warn">;
  now?: () => Date;
}

/** A row not in Postgres this long after it was counted was lost (writes are not retried): it stops counting. */
const PENDING_MAX_MS = 15 * 60_000;

const add = (a: Used | undefined, b: Used | undefined): Used => ({
  requests: (a?.requests ?? 0) + (b?.requests ?? 0),
  gbSeconds: (a?.gbSeconds ?? 0) + (b?.gbSeconds ?? 0),
});

export function startQuotaGuard(
  quotas: Pick<QuotaStore, "all">,
  usage: Pick<UsageStore, "usedSinceWith">,
  { refreshMs, log, now = () => new Date() }: QuotaGuardOptions,
): QuotaGuard {
  let limits = new Map<string, Quota>();
  let read = new Map<string, Used>();
  /** Attempts counted here whose rows no read has had yet, by attemptKey. */
  const pending = new Map<string, { accountId: string; used: Used; at: number }>();
  /** `pending`, summed per account. */
  let local = new Map<string, Used>();
  let month = monthOf(now());
  let refreshing: Promise<void> | undefined;

  async function load(): Promise<void> {
    const m = monthOf(now());
    const all = await quotas.all();
    const got = await usage.usedSinceWith(m.start, [...all.keys()], [...pending.keys()]);
    limits = all;
    read = got.used;
    month = m;
    // Counted after the read began, or not yet written: still counted here (unless lost,
    // or of a month before this one).
    const lostBefore = Math.max(now().getTime() - PENDING_MAX_MS, m.start.getTime());
    for (const [key, p] of pending) if (got.written.has(key) || p.at < lostBefore) pending.delete(key);
    local = new Map();
    for (const p of pending.values()) local.set(p.accountId, add(local.get(p.accountId), p.used));
  }

  const refresh = () => {
    refreshing ??= load().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };
  const timer = setInterval(() => {
    refresh().catch((err: unknown) => log.warn(`usage quotas: refresh failed: ${(err as Error).message}`));
  }, refreshMs);
  timer.unref();
  refresh().catch((err: unknown) => log.warn(`usage quotas: first read failed: ${(err as Error).message}`));

  return {
    check(accountId) {
      if (limits.size === 0) return;
      const quota = limits.get(accountId);
      if (!quota) return;
      const at = now();
      // A new month starts from nothing, before the next refresh has read it.
      const used = at >= month.next ? { requests: 0, gbSeconds: 0 } : add(read.get(accountId), local.get(accountId));
      const resetsAt = at >= month.next ? monthOf(at).next : month.next;
      const refusal = quotaVerdict(accountId, quota, used, resetsAt);
      if (refusal) throw quotaExceeded(refusal, at, resetsAt);
    },
    counted(row) {
      if (!limits.has(row.accountId) || row.outcome === "platform_error") return;
      const used = { requests: 1, gbSeconds: gbSecondsOf(row) };
      pending.set(attemptKey(row), { accountId: row.accountId, used, at: now().getTime() });
      local.set(row.accountId, add(local.get(row.accountId), used));
    },
    refresh,
    stop: () => clearInterval(timer),
  };
}
