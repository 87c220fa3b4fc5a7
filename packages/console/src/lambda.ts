// The Lambda, CloudWatch and console operations the pages use, typed as far as the
// pages read them. Paths and bodies are Lambda's own (2015-03-31 and friends).
import { call, callJson } from "./api.js";

export interface FunctionConfig {
  FunctionName: string;
  FunctionArn: string;
  Runtime?: string;
  Handler?: string;
  MemorySize: number;
  Timeout: number;
  LastModified: string;
  CodeSize: number;
  CodeSha256: string;
  Version: string;
  RevisionId: string;
  Description?: string;
  Environment?: { Variables?: Record<string, string> };
  EphemeralStorage?: { Size: number };
  PackageType?: string;
  State?: string;
}

export interface FunctionDetail {
  Configuration: FunctionConfig;
  Code: { Location?: string; RepositoryType?: string };
  Concurrency?: { ReservedConcurrentExecutions?: number };
}

export interface Alias {
  Name: string;
  FunctionVersion: string;
  Description?: string;
  AliasArn: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
}

const F = "/2015-03-31/functions";
const fn = (name: string) => `${F}/${encodeURIComponent(name)}`;

/** What the list page shows of a function. */
export interface FunctionSummary {
  FunctionName: string;
  Runtime?: string;
  PackageType: string;
  MemorySize: number;
  LastModified: string;
  State: string;
}

/** Every function of the account in one answer (the console's own route, not ListFunctions' pages of 50). */
export const listFunctions = async (o: { quiet?: boolean } = {}) =>
  (await callJson<{ Functions: FunctionSummary[] }>("/console/api/functions", { quiet: o.quiet })).Functions;

let early: Promise<FunctionSummary[]> | undefined;

/** Starts the list's fetch before the session is confirmed (it needs the same cookie, nothing more). */
export function prefetchFunctions(): void {
  early = listFunctions({ quiet: true });
  early.catch(() => undefined);
}

/** The prefetched list if there is one (a failed prefetch, say signed out then, is fetched again). */
export function functionsOnce(): Promise<FunctionSummary[]> {
  const p = early;
  early = undefined;
  return p ? p.catch(() => listFunctions()) : listFunctions();
}

export const getFunction = (name: string) => callJson<FunctionDetail>(fn(name));
export const createFunction = (input: Record<string, unknown>) =>
  callJson<FunctionConfig>(F, { method: "POST", body: input });
export const deleteFunction = (name: string) => call(fn(name), { method: "DELETE" });
export const updateCode = (name: string, zipBase64: string, revisionId: string) =>
  callJson<FunctionConfig>(`${fn(name)}/code`, {
    method: "PUT",
    body: { ZipFile: zipBase64, RevisionId: revisionId },
  });
export const updateConfiguration = (name: string, input: Record<string, unknown>) =>
  callJson<FunctionConfig>(`${fn(name)}/configuration`, { method: "PUT", body: input });
export const putConcurrency = (name: string, n: number) =>
  callJson(`/2017-10-31/functions/${encodeURIComponent(name)}/concurrency`, {
    method: "PUT",
    body: { ReservedConcurrentExecutions: n },
  });
export const deleteConcurrency = (name: string) =>
  call(`/2017-10-31/functions/${encodeURIComponent(name)}/concurrency`, { method: "DELETE" });
export const publishVersion = (name: string, description: string) =>
  callJson<FunctionConfig>(`${fn(name)}/versions`, { method: "POST", body: { Description: description } });
export const listVersions = async (name: string) =>
  (await callJson<{ Versions: FunctionConfig[] }>(`${fn(name)}/versions?MaxItems=50`)).Versions;
export const listAliases = async (name: string) =>
  (await callJson<{ Aliases: Alias[] }>(`${fn(name)}/aliases?MaxItems=50`)).Aliases;
export const createAlias = (name: string, input: Record<string, unknown>) =>
  callJson<Alias>(`${fn(name)}/aliases`, { method: "POST", body: input });

export interface ProvisionedConfig {
  FunctionArn: string;
  RequestedProvisionedConcurrentExecutions: number;
  AllocatedProvisionedConcurrentExecutions: number;
  Status: "IN_PROGRESS" | "READY" | "FAILED";
  StatusReason?: string;
}
const provisioned = (name: string) => `/2019-09-30/functions/${encodeURIComponent(name)}/provisioned-concurrency`;
export const listProvisioned = async (name: string) =>
  (await callJson<{ ProvisionedConcurrencyConfigs: ProvisionedConfig[] }>(`${provisioned(name)}?List=ALL`))
    .ProvisionedConcurrencyConfigs;
export const putProvisioned = (name: string, qualifier: string, n: number) =>
  callJson(`${provisioned(name)}?Qualifier=${encodeURIComponent(qualifier)}`, {
    method: "PUT",
    body: { ProvisionedConcurrentExecutions: n },
  });
export const deleteProvisioned = (name: string, qualifier: string) =>
  call(`${provisioned(name)}?Qualifier=${encodeURIComponent(qualifier)}`, { method: "DELETE" });

export interface InvokeResult {
  status: number;
  payload: string;
  functionError?: string;
  log?: string;
  requestId?: string;
  executedVersion?: string;
}

/** RequestResponse with the log's tail (LogType Tail), as the Lambda console's Test does. */
export async function invoke(name: string, payload: string, qualifier?: string): Promise<InvokeResult> {
  const q = qualifier ? `?Qualifier=${encodeURIComponent(qualifier)}` : "";
  const res = await call(`${fn(name)}/invocations${q}`, {
    method: "POST",
    body: payload,
    headers: { "x-amz-log-type": "Tail", "x-amz-invocation-type": "RequestResponse" },
  });
  const tail = res.headers.get("x-amz-log-result");
  return {
    status: res.status,
    payload: await res.text(),
    functionError: res.headers.get("x-amz-function-error") ?? undefined,
    log: tail ? new TextDecoder().decode(Uint8Array.from(atob(tail), (c) => c.charCodeAt(0))) : undefined,
    requestId: res.headers.get("x-amzn-requestid") ?? undefined,
    executedVersion: res.headers.get("x-amz-executed-version") ?? undefined,
  };
}

export interface TestEvent {
  Name: string;
  Payload: string;
}
const events = (name: string) => `/console/api/functions/${encodeURIComponent(name)}/test-events`;
export const listTestEvents = async (name: string) =>
  (await callJson<{ TestEvents: TestEvent[] }>(events(name))).TestEvents;
export const saveTestEvent = (name: string, event: string, payload: string) =>
  callJson<TestEvent>(`${events(name)}/${encodeURIComponent(event)}`, { method: "PUT", body: { Payload: payload } });
export const deleteTestEvent = (name: string, event: string) =>
  call(`${events(name)}/${encodeURIComponent(event)}`, { method: "DELETE" });

export interface MetricQuery {
  id: string;
  metric: string;
  stat: string;
  functionName?: string;
}

export interface MetricSeries {
  Id: string;
  /** Epoch seconds. */
  Timestamps: number[];
  Values: number[];
}

/** CloudWatch GetMetricData over AWS/Lambda (awsJson1_0, as the SDK speaks it). */
export async function getMetricData(
  queries: MetricQuery[],
  startSeconds: number,
  endSeconds: number,
  period: number,
): Promise<MetricSeries[]> {
  const out = await callJson<{ MetricDataResults: MetricSeries[] }>("/", {
    method: "POST",
    service: "monitoring",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "GraniteServiceVersion20100801.GetMetricData",
    },
    body: {
      StartTime: startSeconds,
      EndTime: endSeconds,
      ScanBy: "TimestampAscending",
      MetricDataQueries: queries.map((q) => ({
        Id: q.id,
        MetricStat: {
          Metric: {
            Namespace: "AWS/Lambda",
            MetricName: q.metric,
            Dimensions: q.functionName ? [{ Name: "FunctionName", Value: q.functionName }] : [],
          },
          Period: period,
          Stat: q.stat,
        },
      })),
    },
  });
  return out.MetricDataResults;
}
