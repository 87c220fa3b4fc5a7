// Usage reports and quotas, as the API serves them: a report of one account or all
// over a range, priced and rendered in a format; an account's quota and what it has
// used this month. Who may ask for what is the routes' concern (api/usage-routes.ts).
import type { Quota, QuotaStore } from "../store/quota-store.js";
import type { UsageStore } from "../store/usage-store.js";
import type { QuotaGuard } from "./quota-guard.js";
import { monthOf, type Used } from "./quota-verdict.js";
import { type ReportFormat, reportCsv, reportFocus, reportJson } from "./report-formats.js";
import { buildReport, type Prices, type ReportRange } from "./usage-report.js";

export interface RenderedReport {
  contentType: string;
  body: string;
}

export interface UsageService {
  /** `accountId` undefined: every account's usage. */
  report(range: ReportRange, accountId: string | undefined, format: ReportFormat): Promise<RenderedReport>;
  quota(accountId: string): Promise<{ quota: Quota; used: Used; resetsAt: Date }>;
  accountExists(accountId: string): Promise<boolean>;
  /** Sets the account's quota; this control plane enforces it at once, the others by their next refresh. */
  setQuota(accountId: string, quota: Quota): Promise<void>;
}

export function createUsageService(
  usage: UsageStore,
  quotas: QuotaStore,
  guard: Pick<QuotaGuard, "refresh">,
  config: { prices: Prices; region: string },
  now = () => new Date(),
): UsageService {
  return {
    async report(range, accountId, format) {
      const days = await usage.report(range.since, range.until, accountId);
      if (format === "focus") {
        const names = await usage.accountNames([...new Set(days.map((d) => d.accountId))]);
        return {
          contentType: "text/csv; charset=utf-8",
          body: reportFocus(days, range, config.prices, { region: config.region, names }),
        };
      }
      const report = buildReport(days, range, config.prices);
      if (format === "csv") return { contentType: "text/csv; charset=utf-8", body: reportCsv(report) };
      return { contentType: "application/json", body: JSON.stringify(reportJson(report)) };
    },
    async quota(accountId) {
      const month = monthOf(now());
      const [quota, used] = await Promise.all([quotas.get(accountId), usage.usedSince(month.start, [accountId])]);
      return { quota, used: used.get(accountId) ?? { requests: 0, gbSeconds: 0 }, resetsAt: month.next };
    },
    accountExists: async (accountId) => (await usage.accountNames([accountId])).has(accountId),
    async setQuota(accountId, quota) {
      await quotas.put(accountId, quota);
      await guard.refresh();
    },
  };
}
