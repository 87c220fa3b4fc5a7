// What an operation of the Stratus endpoint asks in IAM's terms: its action
// (`service:Operation`) and the ARNs of the resources it acts on, from the names
// its path, query or body carries ("*" where it acts on none in particular, as IAM
// has it for List* operations). Stratus' own extensions (/stratus/ paths) are
// `stratus:<Operation>`.
import { parseFunctionName } from "../services/function-ref.js";

export interface RequestView {
  /** The SigV4 signing name of the request. */
  service: string;
  operation: string;
  path: string;
  params: Record<string, string | undefined>;
  query: Record<string, unknown>;
  /** The request's JSON body, when it has one. */
  body: () => Record<string, unknown>;
  accountId: string;
  region: string;
}

export interface Asked {
  action: string;
  resources: string[];
}

/** IAM's prefix of each signing name, where they differ. */
const PREFIXES: Record<string, string> = { monitoring: "cloudwatch" };

/** Lambda operations whose IAM action has another name. */
const LAMBDA_ACTIONS: Record<string, string> = {
  Invoke: "InvokeFunction",
  InvokeAsync: "InvokeFunction",
  InvokeWithResponseStream: "InvokeFunction",
  GetLayerVersionByArn: "GetLayerVersion",
};

const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);

/** The function ARN `raw` names (with its qualifier, if any), in `accountId` unless an ARN says otherwise. */
export function functionArnOf(raw: string, v: Pick<RequestView, "accountId" | "region">, qualifier?: string): string {
  try {
    const ref = parseFunctionName(raw, qualifier);
    const q = ref.qualifier ? `:${ref.qualifier}` : "";
    return `arn:aws:lambda:${v.region}:${ref.account ?? v.accountId}:function:${ref.name}${q}`;
  } catch {
    // A name that does not parse is refused by the operation itself; no policy names it.
    return `arn:aws:lambda:${v.region}:${v.accountId}:function:${raw.slice(0, 170)}`;
  }
}

function lambdaResources(v: RequestView): string[] {
  const { params, region, accountId } = v;
  const base = `arn:aws:lambda:${region}:${accountId}`;
  if (params.arn) return [params.arn];
  if (params.uuid) return [`${base}:event-source-mapping:${params.uuid}`];
  if (v.path.includes("/layers/") && params.name) {
    return [`${base}:layer:${params.name}${params.version ? `:${params.version}` : ""}`];
  }
  if (params.name) {
    const qualifier = str(v.query.Qualifier);
    return [functionArnOf(params.name, v, qualifier)];
  }
  if (v.operation === "CreateFunction") {
    const name = str(v.body().FunctionName);
    return [name ? functionArnOf(name, v) : "*"];
  }
  return ["*"];
}

function jsonResources(v: RequestView): string[] {
  const b = v.body();
  const { region, accountId } = v;
  switch (v.service) {
    case "secretsmanager": {
      const id = str(b.SecretId) ?? str(b.Name);
      if (!id) return ["*"];
      return [id.startsWith("arn:") ? id : `arn:aws:secretsmanager:${region}:${accountId}:secret:${id}`];
    }
    case "states": {
      const arn = str(b.stateMachineArn) ?? str(b.executionArn);
      if (arn) return [arn];
      const name = str(b.name);
      return [
        v.operation === "CreateStateMachine" && name
          ? `arn:aws:states:${region}:${accountId}:stateMachine:${name}`
          : "*",
      ];
    }
    case "events": {
      if (v.operation === "PutEvents" && Array.isArray(b.Entries)) {
        const buses = new Set(
          b.Entries.map((e) => str((e as Record<string, unknown> | null)?.EventBusName) ?? "default"),
        );
        return [...buses].map((bus) =>
          bus.startsWith("arn:") ? bus : `arn:aws:events:${region}:${accountId}:event-bus/${bus}`,
        );
      }
      const rule = str(b.Rule) ?? (v.operation.endsWith("Rule") ? str(b.Name) : undefined);
      return rule ? [`arn:aws:events:${region}:${accountId}:rule/${rule}`] : ["*"];
    }
    case "logs": {
      const group = str(b.logGroupName);
      const stream = str(b.logStreamName);
      if (group && stream) return [`arn:aws:logs:${region}:${accountId}:log-group:${group}:log-stream:${stream}`];
      return group ? [`arn:aws:logs:${region}:${accountId}:log-group:${group}:*`] : ["*"];
    }
    case "scheduler": {
      const group = str(v.query.groupName) ?? "default";
      if (v.path.startsWith("/schedules/") && v.params.name) {
        return [`arn:aws:scheduler:${region}:${accountId}:schedule/${group}/${v.params.name}`];
      }
      if (v.path.startsWith("/schedule-groups/") && v.params.name) {
        return [`arn:aws:scheduler:${region}:${accountId}:schedule-group/${v.params.name}`];
      }
      return ["*"];
    }
    case "monitoring": {
      // CloudWatch's alarms are resources (arn:aws:cloudwatch:<region>:<account>:alarm:<name>); metrics are not.
      const alarm = (name: string) => `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;
      const arn = str(b.ResourceARN);
      if (arn) return [arn];
      const name = str(b.AlarmName);
      if (name) return [alarm(name)];
      const names = Array.isArray(b.AlarmNames) ? b.AlarmNames.filter((n): n is string => str(n) !== undefined) : [];
      return names.length > 0 ? names.map(alarm) : ["*"];
    }
    case "sns": {
      // A subscription's ARN is its topic's and then its id: IAM judges it by the topic.
      const arn = str(b.TopicArn) ?? str(b.TargetArn) ?? str(b.ResourceArn) ?? str(b.SubscriptionArn);
      if (arn) return [arn.split(":").slice(0, 6).join(":")];
      const name = str(b.Name);
      return [v.operation === "CreateTopic" && name ? `arn:aws:sns:${region}:${accountId}:${name}` : "*"];
    }
    case "iam": {
      const role = str(b.RoleName);
      const policy = str(b.PolicyArn);
      if (role) return [`arn:aws:iam::${accountId}:role/${role}`];
      const user = str(b.UserName);
      if (user) return [`arn:aws:iam::${accountId}:user/${user}`];
      if (policy) return [policy];
      return ["*"];
    }
    default:
      return ["*"];
  }
}

export function askedBy(v: RequestView): Asked {
  if (v.path.startsWith("/stratus/")) return { action: `stratus:${v.operation}`, resources: ["*"] };
  if (v.service === "lambda") {
    return { action: `lambda:${LAMBDA_ACTIONS[v.operation] ?? v.operation}`, resources: lambdaResources(v) };
  }
  return { action: `${PREFIXES[v.service] ?? v.service}:${v.operation}`, resources: jsonResources(v) };
}
