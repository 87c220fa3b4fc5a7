// A usage report rendered as the API answers it: JSON (PascalCase, as the AWS APIs
// beside it), CSV (one line per account and function, with a header), or FOCUS
// (the FinOps Open Cost and Usage Specification 1.x: one row per account, function,
// UTC day and charge: requests and compute). CSV is written by csv-stringify.
import { stringify } from "csv-stringify/sync";
import type { UsageDay } from "../store/usage-store.js";
import {
  computeCost,
  type Prices,
  type ReportLine,
  type ReportRange,
  requestCost,
  tidy,
  type UsageReport,
} from "./usage-report.js";

export const REPORT_FORMATS = ["json", "csv", "focus"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const line = (l: Omit<ReportLine, "accountId" | "functionName">) => ({
  Requests: l.requests,
  Errors: l.errors,
  BilledMs: l.billedMs,
  GbSeconds: l.gbSeconds,
  ColdStarts: l.coldStarts,
  RequestCost: l.requestCost,
  ComputeCost: l.computeCost,
  Cost: l.cost,
});

export function reportJson(r: UsageReport) {
  return {
    Since: r.since.toISOString(),
    Until: r.until.toISOString(),
    Currency: r.prices.currency,
    Prices: { PerMillionRequests: r.prices.perMillionRequests, PerGbSecond: r.prices.perGbSecond },
    Functions: r.lines.map((l) => ({ AccountId: l.accountId, FunctionName: l.functionName, ...line(l) })),
    Total: line(r.total),
  };
}

const CSV_COLUMNS = [
  "AccountId",
  "FunctionName",
  "Since",
  "Until",
  "Requests",
  "Errors",
  "BilledMs",
  "GbSeconds",
  "ColdStarts",
  "RequestCost",
  "ComputeCost",
  "Cost",
  "Currency",
];

export function reportCsv(r: UsageReport): string {
  const rows = r.lines.map((l) => [
    l.accountId,
    l.functionName,
    r.since.toISOString(),
    r.until.toISOString(),
    l.requests,
    l.errors,
    l.billedMs,
    l.gbSeconds,
    l.coldStarts,
    l.requestCost,
    l.computeCost,
    l.cost,
    r.prices.currency,
  ]);
  return stringify(rows, { header: true, columns: CSV_COLUMNS });
}

/** FOCUS 1.x columns this export fills (those for commitment discounts and capacity reservations do not apply). */
export const FOCUS_COLUMNS = [
  "BilledCost",
  "BillingAccountId",
  "BillingAccountName",
  "BillingCurrency",
  "BillingPeriodEnd",
  "BillingPeriodStart",
  "ChargeCategory",
  "ChargeClass",
  "ChargeDescription",
  "ChargeFrequency",
  "ChargePeriodEnd",
  "ChargePeriodStart",
  "ConsumedQuantity",
  "ConsumedUnit",
  "ContractedCost",
  "ContractedUnitPrice",
  "EffectiveCost",
  "InvoiceIssuerName",
  "ListCost",
  "ListUnitPrice",
  "PricingCategory",
  "PricingQuantity",
  "PricingUnit",
  "ProviderName",
  "PublisherName",
  "RegionId",
  "RegionName",
  "ResourceId",
  "ResourceName",
  "ResourceType",
  "ServiceCategory",
  "ServiceName",
  "ServiceSubcategory",
  "SkuId",
  "SkuPriceId",
  "SubAccountId",
  "SubAccountName",
  "Tags",
] as const;

export interface FocusContext {
  region: string;
  /** Account names by id, for BillingAccountName / SubAccountName. */
  names: Map<string, string>;
}

const DAY = 86_400_000;
const month = (t: Date) => ({
  start: new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1)).toISOString(),
  end: new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)).toISOString(),
});

/** FOCUS rows of `days`: per account, function and day (clipped to the range), a request charge and a compute charge. */
export function reportFocus(days: UsageDay[], range: ReportRange, prices: Prices, ctx: FocusContext): string {
  const rows: Record<string, string | number>[] = [];
  for (const d of days) {
    const start = new Date(Math.max(d.day.getTime(), range.since.getTime()));
    const end = new Date(Math.min(d.day.getTime() + DAY, range.until.getTime()));
    const name = ctx.names.get(d.accountId) ?? d.accountId;
    const common = {
      BillingAccountId: d.accountId,
      BillingAccountName: name,
      BillingCurrency: prices.currency,
      BillingPeriodStart: month(start).start,
      BillingPeriodEnd: month(start).end,
      ChargeCategory: "Usage",
      ChargeClass: "",
      ChargeFrequency: "Usage-Based",
      ChargePeriodStart: start.toISOString(),
      ChargePeriodEnd: end.toISOString(),
      InvoiceIssuerName: "Stratus",
      PricingCategory: "Standard",
      ProviderName: "Stratus",
      PublisherName: "Stratus",
      RegionId: ctx.region,
      RegionName: ctx.region,
      ResourceId: `arn:aws:lambda:${ctx.region}:${d.accountId}:function:${d.functionName}`,
      ResourceName: d.functionName,
      ResourceType: "Function",
      ServiceCategory: "Compute",
      ServiceName: "AWS Lambda",
      ServiceSubcategory: "Serverless Compute",
      SubAccountId: d.accountId,
      SubAccountName: name,
      Tags: "{}",
    };
    const charge = (
      sku: string,
      what: string,
      consumed: number,
      unit: string,
      pricing: number,
      pricingUnit: string,
      unitPrice: number,
      cost: number,
    ) => ({
      ...common,
      BilledCost: cost,
      EffectiveCost: cost,
      ListCost: cost,
      ContractedCost: cost,
      ListUnitPrice: unitPrice,
      ContractedUnitPrice: unitPrice,
      ChargeDescription: what,
      ConsumedQuantity: consumed,
      ConsumedUnit: unit,
      PricingQuantity: pricing,
      PricingUnit: pricingUnit,
      SkuId: sku,
      SkuPriceId: `${sku}-${ctx.region}`,
    });
    rows.push(
      charge(
        "Lambda-Requests",
        `${d.requests} requests of ${d.functionName} at ${prices.perMillionRequests} ${prices.currency} per 1M requests`,
        d.requests,
        "Requests",
        tidy(d.requests / 1_000_000),
        "1M Requests",
        prices.perMillionRequests,
        requestCost(d.requests, prices),
      ),
      charge(
        "Lambda-GB-Second",
        `${tidy(d.gbSeconds)} GB-seconds of ${d.functionName} at ${prices.perGbSecond} ${prices.currency} per GB-second`,
        tidy(d.gbSeconds),
        "GB-Seconds",
        tidy(d.gbSeconds),
        "GB-Seconds",
        prices.perGbSecond,
        computeCost(d.gbSeconds, prices),
      ),
    );
  }
  return stringify(rows, { header: true, columns: [...FOCUS_COLUMNS] });
}
