// Which ARNs an alarm may name as its actions: Lambda functions and SNS topics of the
// caller's account in this region, the kinds of action Stratus can carry out. The
// others CloudWatch takes (Auto Scaling policies, EC2 and Systems Manager actions...)
// are refused by what they are, never accepted and dropped.
import { functionOfArn } from "../schedules/targets.js";
import { parseTopicArn } from "../sns/sns-names.js";

/** What each service's ARN is as an alarm action, by the ARN's service part. */
const NOT_SERVED: Record<string, string> = {
  autoscaling: "an Auto Scaling policy: Stratus serves no Auto Scaling",
  automate: "an EC2 action: Stratus serves no EC2",
  swf: "an EC2 action: Stratus serves no EC2",
  ec2: "an EC2 action: Stratus serves no EC2",
  ssm: "a Systems Manager OpsItem action: Stratus serves no Systems Manager",
  "ssm-incidents": "a Systems Manager Incident Manager action: Stratus serves no Systems Manager",
  aiops: "an investigation action: Stratus serves no CloudWatch investigations",
};

/** Why `arn` cannot be an action of `accountId`'s alarm, if it cannot. */
export function actionFault(arn: string, accountId: string, region: string): string | undefined {
  const where = `alarm actions must be Lambda functions or SNS topics of account ${accountId} in ${region}`;
  const topic = parseTopicArn(arn);
  if (topic) {
    if (topic.region !== region) return `${arn} is in another region: ${where}`;
    if (topic.accountId !== accountId) return `${arn} is another account's topic: ${where}`;
    return undefined;
  }
  const fn = functionOfArn(arn);
  if (fn) {
    if (arn.split(":")[3] !== region) return `${arn} is in another region: ${where}`;
    if (fn.accountId !== accountId) return `${arn} is another account's function: ${where}`;
    return undefined;
  }
  const service = /^arn:aws[a-z-]*:([a-z0-9-]+):/.exec(arn)?.[1];
  if (service === "lambda") return `${arn} is not a Lambda function ARN: ${where}`;
  if (service === "sns") return `${arn} is not an SNS topic ARN: ${where}`;
  const what = service !== undefined ? NOT_SERVED[service] : undefined;
  return what ? `${arn} is ${what}; ${where}` : `${arn} is not an action Stratus can carry out: ${where}`;
}
