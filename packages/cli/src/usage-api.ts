// Stratus' usage report API (GET /stratus/2026-11-01/usage, beside the Lambda API on
// its endpoint), read through stratus-get.ts. The report comes back as the server
// rendered it: JSON, CSV or FOCUS CSV.
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { STRATUS_API, stratusGet } from "./stratus-get.js";

const PATH = `${STRATUS_API}/usage`;

export interface UsageQuery {
  since?: string;
  until?: string;
  format: "json" | "csv" | "focus";
  /** An account id or name, or * for all (administrators only). */
  account?: string;
}

/** One function's line of a JSON report. */
export interface UsageLine {
  AccountId?: string;
  FunctionName?: string;
  Requests: number;
  Errors: number;
  BilledMs: number;
  GbSeconds: number;
  ColdStarts: number;
  RequestCost: number;
  ComputeCost: number;
  Cost: number;
}

export interface UsageReport {
  Since: string;
  Until: string;
  Currency: string;
  Functions: UsageLine[];
  Total: UsageLine;
}

/** The report's body as the server rendered it. */
export function fetchUsage(lambda: LambdaClient, q: UsageQuery): Promise<string> {
  const query: Record<string, string> = { Format: q.format };
  if (q.since) query.Since = q.since;
  if (q.until) query.Until = q.until;
  if (q.account) query.Account = q.account;
  return stratusGet(lambda, PATH, query);
}
