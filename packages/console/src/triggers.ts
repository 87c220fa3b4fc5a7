// What invokes a function, read from each service's own API under the session: its
// function URL (Lambda 2021-10-31), event source mappings, EventBridge Scheduler
// schedules and EventBridge rules that target it, and the buckets that notify it
// (a console route: S3 answers per bucket only).
import { ApiError, call, callJson } from "./api.js";

export interface UrlConfig {
  FunctionUrl: string;
  AuthType: "NONE" | "AWS_IAM";
  CreationTime: string;
}

export interface Mapping {
  UUID: string;
  EventSourceArn?: string;
  State: string;
  BatchSize?: number;
  LastModified?: number;
}

export interface ScheduleSummary {
  Name: string;
  GroupName: string;
  State: string;
  Target: { Arn: string };
}

export interface RuleTarget {
  Rule: string;
  EventBusName: string;
  State: string;
  ScheduleExpression?: string;
  EventPattern?: string;
  TargetId: string;
}

export interface BucketBinding {
  Bucket: string;
  Configurations: { Id: string; FunctionArn: string; Events: string[]; Prefix?: string; Suffix?: string }[];
}

const urlPath = (name: string) => `/2021-10-31/functions/${encodeURIComponent(name)}/url`;

/** The unqualified function's URL, or undefined when it has none. */
export async function getUrl(name: string): Promise<UrlConfig | undefined> {
  try {
    return await callJson<UrlConfig>(urlPath(name));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}
export const createUrl = (name: string, authType: UrlConfig["AuthType"]) =>
  callJson<UrlConfig>(urlPath(name), { method: "POST", body: { AuthType: authType } });
export const deleteUrl = (name: string) => call(urlPath(name), { method: "DELETE" });

const ESM = "/2015-03-31/event-source-mappings";
export async function listMappings(name: string): Promise<Mapping[]> {
  const out: Mapping[] = [];
  let marker: string | undefined;
  do {
    const q = `?FunctionName=${encodeURIComponent(name)}&MaxItems=100${marker ? `&Marker=${encodeURIComponent(marker)}` : ""}`;
    const page = await callJson<{ EventSourceMappings: Mapping[]; NextMarker?: string }>(`${ESM}/${q}`);
    out.push(...page.EventSourceMappings);
    marker = page.NextMarker;
  } while (marker);
  return out;
}
export const setMappingEnabled = (uuid: string, enabled: boolean) =>
  callJson<Mapping>(`${ESM}/${encodeURIComponent(uuid)}`, { method: "PUT", body: { Enabled: enabled } });
export const deleteMapping = (uuid: string) => call(`${ESM}/${encodeURIComponent(uuid)}`, { method: "DELETE" });

/** A target ARN names the function, unqualified or with any version or alias. */
export const targetsFunction = (arn: string, functionArn: string) =>
  arn === functionArn || arn.startsWith(`${functionArn}:`);

export async function schedulesFor(functionArn: string): Promise<ScheduleSummary[]> {
  const out: ScheduleSummary[] = [];
  let token: string | undefined;
  do {
    const q = `?MaxResults=100${token ? `&NextToken=${encodeURIComponent(token)}` : ""}`;
    const page = await callJson<{ Schedules: ScheduleSummary[]; NextToken?: string }>(`/schedules${q}`, {
      service: "scheduler",
    });
    out.push(...page.Schedules.filter((s) => targetsFunction(s.Target.Arn, functionArn)));
    token = page.NextToken;
  } while (token);
  return out;
}

const events = <T>(op: string, body: Record<string, unknown>) =>
  callJson<T>("/", {
    method: "POST",
    service: "events",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSEvents.${op}` },
    body,
  });

interface Rule {
  Name: string;
  EventBusName: string;
  State: string;
  ScheduleExpression?: string;
  EventPattern?: string;
}

/** Rules of the default bus with a target on the function (EventBridge has no ListRuleNamesByTarget here). */
export async function rulesFor(functionArn: string): Promise<RuleTarget[]> {
  const rules: Rule[] = [];
  let token: string | undefined;
  do {
    const page = await events<{ Rules: Rule[]; NextToken?: string }>("ListRules", token ? { NextToken: token } : {});
    rules.push(...page.Rules);
    token = page.NextToken;
  } while (token);
  const out: RuleTarget[] = [];
  for (const rule of rules) {
    const { Targets } = await events<{ Targets: { Id: string; Arn: string }[] }>("ListTargetsByRule", {
      Rule: rule.Name,
      EventBusName: rule.EventBusName,
    });
    for (const t of Targets.filter((x) => targetsFunction(x.Arn, functionArn))) {
      out.push({
        Rule: rule.Name,
        EventBusName: rule.EventBusName,
        State: rule.State,
        ScheduleExpression: rule.ScheduleExpression,
        EventPattern: rule.EventPattern,
        TargetId: t.Id,
      });
    }
  }
  return out;
}

export const bucketBindings = async (name: string) =>
  (await callJson<{ Buckets: BucketBinding[] }>(`/console/api/functions/${encodeURIComponent(name)}/bucket-bindings`))
    .Buckets;
