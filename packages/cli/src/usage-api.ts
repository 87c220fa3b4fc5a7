// Stratus' usage report API (GET /stratus/2026-11-01/usage, beside the Lambda API on
// its endpoint, signed for `lambda`), reached with the Lambda client's resolved
// endpoint, region and credentials, as log-api.ts reaches the log API. The report
// comes back as the server rendered it: JSON, CSV or FOCUS CSV.
import { GetFunctionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { getEndpointFromInstructions } from "@smithy/middleware-endpoint";
import { SignatureV4 } from "@smithy/signature-v4";
import { CliError } from "./errors.js";

const PATH = "/stratus/2026-11-01/usage";

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
export async function fetchUsage(lambda: LambdaClient, q: UsageQuery): Promise<string> {
  const endpoint = await getEndpointFromInstructions({ FunctionName: "x" }, GetFunctionCommand, lambda.config);
  const url = new URL(endpoint.url.href);
  url.pathname = `${url.pathname.replace(/\/$/, "")}${PATH}`;
  const query: Record<string, string> = { Format: q.format };
  if (q.since) query.Since = q.since;
  if (q.until) query.Until = q.until;
  if (q.account) query.Account = q.account;
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const signer = new SignatureV4({
    credentials: lambda.config.credentials,
    region: await lambda.config.region(),
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign({
    method: "GET",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers: { host: url.host },
  });
  const res = await fetch(url, { headers: signed.headers });
  const text = await res.text();
  if (!res.ok) {
    const type = res.headers.get("x-amzn-errortype")?.split(":")[0] ?? `HTTP${res.status}`;
    let message = res.statusText;
    try {
      const body = JSON.parse(text) as { message?: string; Message?: string };
      message = body.message ?? body.Message ?? message;
    } catch {}
    throw new CliError(type, message);
  }
  return text;
}
