// SNS's names and ARNs: a topic's ARN (arn:aws:sns:<region>:<account>:<name>) and a
// subscription's (the topic's, then `:<uuid>`).
import { type TopicRef, topicArn } from "../arns.js";
import { snsErrors } from "./sns-errors.js";

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const SUBSCRIPTION_ARN =
  /^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export { parseTopicArn, type TopicRef, topicArn } from "../arns.js";

export const subscriptionArn = (region: string, accountId: string, topicName: string, id: string) =>
  `${topicArn(region, accountId, topicName)}:${id}`;

/** The topic and id of a subscription ARN, if `arn` is one. */
export function parseSubscriptionArn(arn: string): (TopicRef & { id: string }) | undefined {
  const m = SUBSCRIPTION_ARN.exec(arn);
  if (!m) return undefined;
  return { region: m[1] as string, accountId: m[2] as string, name: m[3] as string, id: m[4] as string };
}

export function checkTopicName(name: string): void {
  const base = name.endsWith(".fifo") ? name.slice(0, -5) : name;
  if (!TOPIC_NAME.test(base) || name.length > 256) {
    throw snsErrors.invalidParameter(
      "Topic Name: must be 1 to 256 letters, digits, hyphens or underscores (with .fifo at the end of a FIFO topic)",
    );
  }
}
