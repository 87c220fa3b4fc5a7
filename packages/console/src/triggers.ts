// What invokes a function, read from each service's own API under the session: its
// function URL (Lambda 2021-10-31), event source mappings and the EventBridge Scheduler
// schedules that target it; and from console routes, in one call each, the rules of
// every event bus that target it, the buckets that notify it (EventBridge and S3
// answer per bus and per bucket only) and the SNS subscriptions of every topic to it,
// each with whether the function's policy lets SNS invoke it.
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

export interface RuleBinding {
  Name: string;
  EventBusName: string;
  State: string;
  ScheduleExpression?: string;
  EventPattern?: string;
  /** The rule's targets on the function. */
  Targets: { Id: string; Arn: string }[];
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
/** A mapping on its way to another state: the lease holder settles it within a second or two. */
export const settling = (state: string) => /^(Creating|Enabling|Disabling|Updating|Deleting)$/.test(state);
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

/** The rules of every event bus with a target on the function (a console route: one call for all buses). */
export const rulesFor = async (name: string) =>
  (await callJson<{ Rules: RuleBinding[] }>(`/console/api/functions/${encodeURIComponent(name)}/rules`)).Rules;

export const bucketBindings = async (name: string) =>
  (await callJson<{ Buckets: BucketBinding[] }>(`/console/api/functions/${encodeURIComponent(name)}/bucket-bindings`))
    .Buckets;

export interface SnsBinding {
  SubscriptionArn: string;
  TopicArn: string;
  /** The function ARN subscribed (any qualifier). */
  Endpoint: string;
  FilterPolicy?: string;
  FilterPolicyScope?: string;
  /** Whether the function's policy lets sns.amazonaws.com invoke it for the topic: else deliveries fail. */
  SnsMayInvoke: boolean;
}

export const snsBindings = async (name: string) =>
  (
    await callJson<{ Subscriptions: SnsBinding[] }>(
      `/console/api/functions/${encodeURIComponent(name)}/sns-subscriptions`,
    )
  ).Subscriptions;
