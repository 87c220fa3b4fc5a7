// SNS triggers from the console: SNS's own awsQuery API under the session (POST / with
// a form body, answered in XML), as the AWS CLI calls it, for the account's topics,
// Subscribe and Unsubscribe; and the function policy statement that lets
// sns.amazonaws.com invoke the function for a topic (Lambda's AddPermission), which
// each delivery needs, as the Lambda console adds it with the subscription.
import { ApiError, call, callJson, unescapeXml } from "./api.js";

const VERSION = "2010-03-31";

/** The form body of an SNS action with flat string parameters. */
export function snsForm(action: string, params: Record<string, string> = {}): string {
  return new URLSearchParams({ Action: action, Version: VERSION, ...params }).toString();
}

/** Every value of the elements named `tag` in `xml`, unescaped (the answers' ARNs and tokens). */
export function xmlValues(xml: string, tag: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))) out.push(unescapeXml(m[1] as string));
  return out;
}

async function sns(action: string, params: Record<string, string> = {}): Promise<string> {
  const res = await call("/", {
    method: "POST",
    service: "sns",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: snsForm(action, params),
  });
  return res.text();
}

/** Every topic ARN of the account (ListTopics, page by page). */
export async function listTopics(): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const xml = await sns("ListTopics", token ? { NextToken: token } : {});
    out.push(...xmlValues(xml, "TopicArn"));
    token = xmlValues(xml, "NextToken")[0];
  } while (token);
  return out;
}

/** A topic's name: the last part of its ARN. */
export const topicName = (arn: string) => arn.split(":")[5] ?? arn;

export const subscribe = async (topicArn: string, functionArn: string) =>
  xmlValues(
    await sns("Subscribe", {
      TopicArn: topicArn,
      Protocol: "lambda",
      Endpoint: functionArn,
      ReturnSubscriptionArn: "true",
    }),
    "SubscriptionArn",
  )[0];

export const unsubscribe = (subscriptionArn: string) => sns("Unsubscribe", { SubscriptionArn: subscriptionArn });

/** The function and qualifier whose policy a delivery to `functionArn` is judged by ($LATEST: the unqualified one's). */
export function policyTarget(functionArn: string): { name: string; qualifier?: string } {
  const [, , , , , , name = "", qualifier] = functionArn.split(":");
  return qualifier && qualifier !== "$LATEST" ? { name, qualifier } : { name };
}

/** 32-bit FNV-1a, in hex: tells apart topics whose names are cut to fit a statement ID. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** The statement ID the console gives a topic's permission: the same each time, so adding it twice is a conflict. */
export const snsStatementId = (topicArn: string) =>
  `sns-${topicName(topicArn)
    .replace(/[^A-Za-z0-9_-]/g, "-")
    .slice(0, 86)}-${fnv(topicArn)}`;

/** The AWS CLI command that lets SNS invoke `functionArn` for `topicArn`. */
export function addPermissionCommand(functionArn: string, topicArn: string, endpointUrl: string): string {
  const t = policyTarget(functionArn);
  return [
    `aws --endpoint-url ${endpointUrl} lambda add-permission --function-name ${t.name}`,
    ...(t.qualifier ? [`--qualifier ${t.qualifier}`] : []),
    `--statement-id ${snsStatementId(topicArn)} --action lambda:InvokeFunction`,
    `--principal sns.amazonaws.com --source-arn ${topicArn}`,
  ].join(" ");
}

/** Lets sns.amazonaws.com invoke `functionArn` for `topicArn`; already done (the same statement ID) is fine. */
export async function allowSns(functionArn: string, topicArn: string): Promise<void> {
  const t = policyTarget(functionArn);
  const q = t.qualifier ? `?Qualifier=${encodeURIComponent(t.qualifier)}` : "";
  try {
    await callJson(`/2015-03-31/functions/${encodeURIComponent(t.name)}/policy${q}`, {
      method: "POST",
      body: {
        StatementId: snsStatementId(topicArn),
        Action: "lambda:InvokeFunction",
        Principal: "sns.amazonaws.com",
        SourceArn: topicArn,
      },
    });
  } catch (e) {
    if (!(e instanceof ApiError && e.type === "ResourceConflictException")) throw e;
  }
}
