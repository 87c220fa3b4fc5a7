// Stratus' own extensions beside the Lambda API (/stratus/2026-11-01): the account's
// usage report (what `stratus usage` reads) and a function's asynchronous invocations
// with their re-drive. The same routes the CLI signs for, under the session.
import { callJson } from "./api.js";

const S = "/stratus/2026-11-01";

/** One line of the usage report (a function's, or the total). */
export interface UsageLine {
  FunctionName?: string;
  Requests: number;
  Errors: number;
  BilledMs: number;
  GbSeconds: number;
  ColdStarts: number;
  Cost: number;
}

export interface UsageReport {
  Since: string;
  Until: string;
  Currency: string;
  Functions: UsageLine[];
  Total: UsageLine;
}

export const getUsage = (since: Date, until: Date) =>
  callJson<UsageReport>(
    `${S}/usage?Format=json&Since=${encodeURIComponent(since.toISOString())}&Until=${encodeURIComponent(until.toISOString())}`,
  );

export interface AsyncInvocation {
  RequestId: string;
  FunctionName: string;
  Qualifier?: string;
  Status: string;
  Attempts: number;
  MaxAttempts: number;
  AcceptedAt: string;
  Error?: unknown;
}

export const listAsyncInvocations = async (name: string, status: string, limit = 50) =>
  (
    await callJson<{ Invocations: AsyncInvocation[] }>(
      `${S}/functions/${encodeURIComponent(name)}/async-invocations?Status=${status}&Limit=${limit}`,
    )
  ).Invocations;

export const redrive = (id: string) =>
  callJson<{ RequestId: string }>(`${S}/invocations/${encodeURIComponent(id)}/redrive`, { method: "POST" });
