// The invoke path's quota check: a Map lookup against counters cached per account.
// Every `refreshMs` the guard reads the quotas and each quota-bound account's usage
// this month from Postgres; between reads it adds what this control plane metered
// itself. So it lags by up to one refresh interval for usage metered by other
// control planes (and by rows still being written): an account may run past its
// quota by what the platform serves it in that interval (docs/USAGE.md).
import type { Logger } from "@stratus/shared";
import type { Quota, QuotaStore } from "../store/quota-store.js";
import type { UsageRow, UsageStore } from "../store/usage-store.js";
import { monthOf, quotaExceeded, quotaVerdict, type Used } from "./quota-verdict.js";
import { gbSecondsOf } from "./usage-row.js";

export interface QuotaGuard {
  /** Throws TooManyRequestsException (429) when the account is at its monthly quota, as last known. */
  check(accountId: string): void;
  /** Counts a metered attempt of this control plane's until a refresh reads it from Postgres. */
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

const add = (a: Used | undefined, b: Used | undefined): Used => ({
  requests: (a?.requests ?? 0) + (b?.requests ?? 0),
  gbSeconds: (a?.gbSeconds ?? 0) + (b?.gbSeconds ?? 0),
});

export function startQuotaGuard(
  quotas: Pick<QuotaStore, "all">,
  usage: Pick<UsageStore, "usedSince">,
  { refreshMs, log, now = () => new Date() }: QuotaGuardOptions,
): QuotaGuard {
  let limits = new Map<string, Quota>();
  let read = new Map<string, Used>();
  let local = new Map<string, Used>();
  let month = monthOf(now());
  let refreshing: Promise<void> | undefined;

  async function load(): Promise<void> {
    const taken = local;
    local = new Map();
    try {
      const m = monthOf(now());
      const all = await quotas.all();
      const used = await usage.usedSince(m.start, [...all.keys()]);
      limits = all;
      read = used;
      month = m;
    } catch (err) {
      // Keep counting from what was known: nothing this control plane metered is dropped.
      for (const [id, u] of taken) local.set(id, add(local.get(id), u));
      throw err;
    }
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
      local.set(row.accountId, add(local.get(row.accountId), { requests: 1, gbSeconds: gbSecondsOf(row) }));
    },
    refresh,
    stop: () => clearInterval(timer),
  };
}
