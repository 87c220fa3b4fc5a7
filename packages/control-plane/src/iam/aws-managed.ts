// AWS managed policies that Stratus carries: the ones Lambda's guides and Terraform's
// examples attach to an execution role (AWSLambdaBasicExecutionRole above all), with
// the statements AWS publishes for them. Every account sees the same catalog under
// `arn:aws:iam::aws:policy/...`; the policy ids are Stratus's own (docs/PERMISSIONS.md).
import { createHash } from "node:crypto";
import { iamErrors } from "./iam-errors.js";
import { parsePolicy } from "./policy-document.js";

export interface AwsPolicy {
  name: string;
  path: string;
  description: string;
  document: string;
  policyId: string;
}

/** When this catalog was written: the CreateDate and UpdateDate of each of its policies. */
export const CATALOG_DATE = new Date("2026-12-07T00:00:00Z");

const LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"];
const XRAY = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
];

type Entry = [name: string, path: string, description: string, statements: Record<string, unknown>[]];
const allow = (Action: string | string[], Resource: string | string[] = "*") => ({ Effect: "Allow", Action, Resource });

const ENTRIES: Entry[] = [
  ["AdministratorAccess", "/", "Provides full access to AWS services and resources.", [allow("*")]],
  [
    "PowerUserAccess",
    "/",
    "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
    [
      { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
      allow([
        "account:GetAccountInformation",
        "account:GetPrimaryEmail",
        "account:ListRegions",
        "iam:CreateServiceLinkedRole",
        "iam:DeleteServiceLinkedRole",
        "iam:ListRoles",
        "organizations:DescribeOrganization",
      ]),
    ],
  ],
  ["IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.", [allow("iam:*")]],
  ["AWSLambdaBasicExecutionRole", "/service-role/", "Provides write permissions to CloudWatch Logs.", [allow(LOGS)]],
  [
    "AWSLambdaExecute",
    "/",
    "Provides Put, Get access to S3 and full access to CloudWatch Logs.",
    [allow("logs:*", "arn:aws:logs:*:*:*"), allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::*")],
  ],
  ["AWSLambdaRole", "/service-role/", "Default policy for AWS Lambda service role.", [allow("lambda:InvokeFunction")]],
  [
    "AWSLambdaSQSQueueExecutionRole",
    "/service-role/",
    "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.",
    [allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", ...LOGS])],
  ],
  [
    "AWSLambdaKinesisExecutionRole",
    "/service-role/",
    "Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.",
    [
      allow([
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreams",
        "kinesis:SubscribeToShard",
        ...LOGS,
      ]),
    ],
  ],
  [
    "AWSLambdaDynamoDBExecutionRole",
    "/service-role/",
    "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
    [
      allow([
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        ...LOGS,
      ]),
    ],
  ],
  [
    "AWSLambdaVPCAccessExecutionRole",
    "/service-role/",
    "Provides minimum permissions for a Lambda function to execute while accessing a resource within a VPC.",
    [
      allow([
        ...LOGS,
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ]),
    ],
  ],
  ["AWSXRayDaemonWriteAccess", "/", "Allow the AWS X-Ray Daemon to relay raw trace segments data.", [allow(XRAY)]],
  ["AWSXrayWriteOnlyAccess", "/", "AWS X-Ray write only access.", [allow(XRAY)]],
  ["AmazonSQSFullAccess", "/", "Provides full access to Amazon SQS.", [allow("sqs:*")]],
  [
    "AmazonSQSReadOnlyAccess",
    "/",
    "Provides read only access to Amazon SQS.",
    [
      allow([
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ListDeadLetterSourceQueues",
        "sqs:ListQueues",
        "sqs:ListMessageMoveTasks",
        "sqs:ListQueueTags",
      ]),
    ],
  ],
  ["AmazonS3FullAccess", "/", "Provides full access to all buckets.", [allow(["s3:*", "s3-object-lambda:*"])]],
  [
    "AmazonS3ReadOnlyAccess",
    "/",
    "Provides read only access to all buckets.",
    [allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"])],
  ],
  [
    "CloudWatchLogsFullAccess",
    "/",
    "Provides full access to CloudWatch Logs.",
    [allow(["logs:*", "cloudwatch:GenerateQuery"])],
  ],
  [
    "CloudWatchLogsReadOnlyAccess",
    "/",
    "Provides read only access to CloudWatch Logs.",
    [
      allow([
        "logs:Describe*",
        "logs:Get*",
        "logs:List*",
        "logs:StartQuery",
        "logs:StopQuery",
        "logs:TestMetricFilter",
        "logs:FilterLogEvents",
        "logs:StartLiveTail",
        "logs:StopLiveTail",
        "cloudwatch:GenerateQuery",
      ]),
    ],
  ],
];

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** A stable id of IAM's form (ANPA and 17 more), the same on every Stratus. */
const idOf = (name: string) =>
  `ANPA${Array.from(createHash("sha256").update(`aws-managed:${name}`).digest().subarray(0, 17), (b) => ID_ALPHABET[b % 32]).join("")}`;

/** The catalog in IAM's listing order (by name, without regard to case). */
export const AWS_POLICIES: readonly AwsPolicy[] = ENTRIES.map(([name, path, description, statements]) => {
  const document = JSON.stringify({ Version: "2012-10-17", Statement: statements });
  parsePolicy(document); // a mistake in the catalog fails at start, never at a caller's request
  return { name, path, description, document, policyId: idOf(name) };
}).sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));

const BY_NAME = new Map(AWS_POLICIES.map((p) => [p.name, p]));

export const awsPolicyArn = (p: Pick<AwsPolicy, "path" | "name">) => `arn:aws:iam::aws:policy${p.path}${p.name}`;

/** The AWS managed policy `arn` names (path included); undefined when Stratus carries none by that ARN. */
export function awsPolicyAt(arn: string): AwsPolicy | undefined {
  const name = /^arn:aws:iam::aws:policy\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,128})$/.exec(arn)?.[1];
  const policy = name === undefined ? undefined : BY_NAME.get(name);
  return policy && awsPolicyArn(policy) === arn ? policy : undefined;
}

export const awsPolicyNamed = (name: string) => BY_NAME.get(name);

/** Whether `arn` is in AWS's own namespace of managed policies (carried by Stratus or not). */
export const isAwsPolicyArn = (arn: string) => arn.startsWith("arn:aws:iam::aws:policy/");

/** NoSuchEntity for an AWS managed policy's ARN that Stratus's catalog does not carry. */
export const notCarried = (arn: string) =>
  iamErrors.noSuchEntity(
    `Policy ${arn.slice(0, 256)} does not exist or is not attachable (Stratus carries the AWS managed policies that ListPolicies lists with Scope AWS).`,
  );

/** The AWS managed policy `arn` names, if it is in AWS's namespace (NoSuchEntity if Stratus does not carry it). */
export function awsPolicyOf(arn: string): AwsPolicy | undefined {
  if (!isAwsPolicyArn(arn)) return undefined;
  const policy = awsPolicyAt(arn);
  if (!policy) throw notCarried(arn);
  return policy;
}
