// A usage report: requests and GB-seconds per account and function over a range,
// priced with the configured price table. Pure: the store gives the totals per day
// (store/usage-store.ts), this sums and prices them; report-formats.ts renders.
import type { UsageDay } from "../store/usage-store.js";

/** The price table (STRATUS_USAGE_PRICE_*): Lambda's x86 list prices by default. */
export interface Prices {
  perMillionRequests: number;
  perGbSecond: number;
  /** ISO 4217. */
  currency: string;
}

export interface ReportRange {
  since: Date;
  until: Date;
}

export interface ReportLine {
  accountId: string;
  functionName: string;
  requests: number;
  errors: number;
  billedMs: number;
  gbSeconds: number;
  coldStarts: number;
  requestCost: number;
  computeCost: number;
  cost: number;
}

export interface UsageReport extends ReportRange {
  prices: Prices;
  lines: ReportLine[];
  total: Omit<ReportLine, "accountId" | "functionName">;
}

/** Money and GB-seconds without the noise of binary fractions: 10 decimal places. */
export const tidy = (n: number): number => Math.round(n * 1e10) / 1e10;

export const requestCost = (requests: number, p: Prices): number => tidy((requests / 1_000_000) * p.perMillionRequests);
export const computeCost = (gbSeconds: number, p: Prices): number => tidy(gbSeconds * p.perGbSecond);

function priced(
  l: Pick<ReportLine, "requests" | "errors" | "billedMs" | "gbSeconds" | "coldStarts">,
  p: Prices,
): Omit<ReportLine, "accountId" | "functionName"> {
  const rc = requestCost(l.requests, p);
  const cc = computeCost(l.gbSeconds, p);
  return { ...l, gbSeconds: tidy(l.gbSeconds), requestCost: rc, computeCost: cc, cost: tidy(rc + cc) };
}

/** Sums `days` per account and function (in the store's order) and prices each line and the total. */
export function buildReport(days: UsageDay[], range: ReportRange, prices: Prices): UsageReport {
  const byFunction = new Map<string, UsageDay>();
  for (const d of days) {
    const key = `${d.accountId}/${d.functionName}`;
    const sum = byFunction.get(key);
    if (!sum) byFunction.set(key, { ...d });
    else {
      sum.requests += d.requests;
      sum.errors += d.errors;
      sum.billedMs += d.billedMs;
      sum.gbSeconds += d.gbSeconds;
      sum.coldStarts += d.coldStarts;
    }
  }
  const lines = [...byFunction.values()].map((d) => ({
    accountId: d.accountId,
    functionName: d.functionName,
    ...priced(d, prices),
  }));
  const zero = { requests: 0, errors: 0, billedMs: 0, gbSeconds: 0, coldStarts: 0 };
  const total = [...byFunction.values()].reduce(
    (t, d) => ({
      requests: t.requests + d.requests,
      errors: t.errors + d.errors,
      billedMs: t.billedMs + d.billedMs,
      gbSeconds: t.gbSeconds + d.gbSeconds,
      coldStarts: t.coldStarts + d.coldStarts,
    }),
    zero,
  );
  return { ...range, prices, lines, total: priced(total, prices) };
}
