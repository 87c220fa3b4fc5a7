import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { UsageDay } from "../store/usage-store.js";
import { FOCUS_COLUMNS, reportCsv, reportFocus, reportJson } from "./report-formats.js";
import { buildReport, computeCost, type Prices, requestCost } from "./usage-report.js";

const LIST: Prices = { perMillionRequests: 0.2, perGbSecond: 0.0000166667, currency: "USD" };
const range = { since: new Date("2026-11-30T22:00:00Z"), until: new Date("2026-12-02T05:00:00Z") };
const day = (
  accountId: string,
  functionName: string,
  d: string,
  requests: number,
  billedMs: number,
  memoryMb: number,
): UsageDay => ({
  accountId,
  functionName,
  day: new Date(`${d}T00:00:00Z`),
  requests,
  errors: 1,
  billedMs,
  gbSeconds: (memoryMb / 1024) * (billedMs / 1000),
  coldStarts: 1,
});
const days = [
  day("111111111111", "a", "2026-11-30", 3, 600, 128),
  day("111111111111", "a", "2026-12-01", 2, 400, 128),
  day("222222222222", 'b, "quoted"', "2026-12-02", 1_000_000, 2_048_000, 512),
];

describe("pricing", () => {
  it.each([
    [1_000_000, 0.2],
    [1, 0.0000002],
    [0, 0],
    [2_500_000, 0.5],
  ])("%i requests cost %f at list price", (n, want) => expect(requestCost(n, LIST)).toBe(want));

  it.each([
    [1, 0.0000166667],
    [400_000, 6.66668],
    [0.125, 0.0000020833],
  ])("%f GB-s cost %f at list price", (gbs, want) => expect(computeCost(gbs, LIST)).toBe(want));
});

describe("buildReport", () => {
  const r = buildReport(days, range, LIST);

  it("sums each function's days, and prices each line and the total", () => {
    expect(r.lines).toEqual([
      expect.objectContaining({
        accountId: "111111111111",
        functionName: "a",
        requests: 5,
        billedMs: 1000,
        gbSeconds: 0.125,
        errors: 2,
      }),
      expect.objectContaining({ accountId: "222222222222", requests: 1_000_000, gbSeconds: 1024, requestCost: 0.2 }),
    ]);
    expect(r.lines[1]?.computeCost).toBe(0.0170667008);
    expect(r.total.requests).toBe(1_000_005);
    expect(r.total.cost).toBe(Math.round((r.total.requestCost + r.total.computeCost) * 1e10) / 1e10);
  });

  it("renders JSON with the range and prices", () => {
    const j = reportJson(r);
    expect(j).toMatchObject({ Since: "2026-11-30T22:00:00.000Z", Until: "2026-12-02T05:00:00.000Z", Currency: "USD" });
    expect(j.Functions[0]).toMatchObject({
      AccountId: "111111111111",
      FunctionName: "a",
      Requests: 5,
      GbSeconds: 0.125,
    });
  });

  it("renders CSV a parser reads back, quoting what needs it", () => {
    const rows = parse(reportCsv(r), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      FunctionName: 'b, "quoted"',
      Requests: "1000000",
      GbSeconds: "1024",
      Currency: "USD",
    });
  });

  it("renders an empty report as its header", () => {
    expect(
      reportCsv(buildReport([], range, LIST))
        .trim()
        .split("\n"),
    ).toHaveLength(1);
  });
});

describe("FOCUS", () => {
  const csv = reportFocus(days, range, LIST, { region: "us-east-1", names: new Map([["111111111111", "team-a"]]) });
  const rows = parse(csv, { columns: true }) as Record<string, string>[];

  it("has the FOCUS columns, a request and a compute charge per function and day", () => {
    expect(Object.keys(rows[0] ?? {})).toEqual([...FOCUS_COLUMNS]);
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => r.SkuId)).toEqual(Array(3).fill(["Lambda-Requests", "Lambda-GB-Second"]).flat());
  });

  it("clips charge periods to the range and names the billing month", () => {
    expect(rows[0]).toMatchObject({
      ChargePeriodStart: "2026-11-30T22:00:00.000Z",
      ChargePeriodEnd: "2026-12-01T00:00:00.000Z",
      BillingPeriodStart: "2026-11-01T00:00:00.000Z",
      BillingPeriodEnd: "2026-12-01T00:00:00.000Z",
      BillingAccountName: "team-a",
      ChargeCategory: "Usage",
      BillingCurrency: "USD",
    });
    expect(rows[4]).toMatchObject({
      ChargePeriodStart: "2026-12-02T00:00:00.000Z",
      ChargePeriodEnd: "2026-12-02T05:00:00.000Z",
    });
  });

  it("prices quantities in their pricing units", () => {
    expect(rows[4]).toMatchObject({
      ConsumedQuantity: "1000000",
      ConsumedUnit: "Requests",
      PricingQuantity: "1",
      PricingUnit: "1M Requests",
      ListUnitPrice: "0.2",
      BilledCost: "0.2",
      EffectiveCost: "0.2",
      ListCost: "0.2",
      ResourceId: 'arn:aws:lambda:us-east-1:222222222222:function:b, "quoted"',
    });
    expect(rows[5]).toMatchObject({ ConsumedQuantity: "1024", ConsumedUnit: "GB-Seconds", BilledCost: "0.0170667008" });
  });
});
