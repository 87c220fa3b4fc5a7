// Terraform's AWS provider against a live stack: one configuration of the resources a
// Lambda setup is made of (an execution role with an AWS managed policy, a published
// function, an alias with provisioned concurrency, a FIFO queue with a FIFO dead-letter
// queue, a log group, an Errors alarm whose action is the function) applied, planned
// again with nothing to change, read back with the SDK, and destroyed. It runs where
// Terraform and the AWS provider are installed (this machine has both: terraform on
// PATH, provider 5.100.0 in a filesystem mirror under /opt/tf-plugins), and is skipped,
// saying so, elsewhere: neither can be fetched from the sources a fresh machine reaches.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { GetFunctionCommand, GetProvisionedConcurrencyConfigCommand } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorName } from "./helpers/iam.js";
import { expectExit, providerBlock, type TerraformDir, terraformAvailable, terraformDir } from "./helpers/terraform.js";
import { useStack } from "./helpers/use-stack.js";
import { makeZip } from "./helpers/zip.js";

const available = terraformAvailable("tests/terraform.test.ts");

const stack = useStack();
const suffix = Math.random().toString(16).slice(2, 10);
let tf: TerraformDir | undefined;

function configuration(endpoint: string): string {
  return `${providerBlock(endpoint, ["lambda", "iam", "sqs", "cloudwatch", "logs"])}resource "aws_iam_role" "fn" {
  name = "tf-${suffix}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}
resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}
resource "aws_cloudwatch_log_group" "fn" {
  name              = "/aws/lambda/tf-${suffix}"
  retention_in_days = 7
}
resource "aws_lambda_function" "fn" {
  function_name    = "tf-${suffix}"
  role             = aws_iam_role.fn.arn
  handler          = "index.handler"
  runtime          = "nodejs20.x"
  filename         = "function.zip"
  source_code_hash = filebase64sha256("function.zip")
  publish          = true
  depends_on       = [aws_cloudwatch_log_group.fn]
}
resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.fn.function_name
  function_version = aws_lambda_function.fn.version
}
resource "aws_lambda_provisioned_concurrency_config" "live" {
  function_name                     = aws_lambda_alias.live.function_name
  qualifier                         = aws_lambda_alias.live.name
  provisioned_concurrent_executions = 1
}
resource "aws_sqs_queue" "dlq" {
  name       = "tf-${suffix}-dlq.fifo"
  fifo_queue = true
}
resource "aws_sqs_queue" "jobs" {
  name                        = "tf-${suffix}.fifo"
  fifo_queue                  = true
  content_based_deduplication = true
  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 3 })
}
resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "tf-${suffix}-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.fn.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_lambda_function.fn.arn]
}
`;
}

const terraform = (...args: string[]) => (tf as TerraformDir).terraform(...args);

beforeAll(async () => {
  if (!available) return;
  tf = await terraformDir(stack.credentials);
  const dir = tf.dir;
  await writeFile(
    path.join(dir, "function.zip"),
    await makeZip({ "index.js": "exports.handler = async (e) => ({ ok: true, e });" }),
  );
  await writeFile(path.join(dir, "main.tf"), configuration(stack.endpoint));
});
afterAll(async () => {
  await tf?.remove();
});

describe.skipIf(!available)("Terraform's AWS provider", () => {
  it("applies a Lambda setup, plans no change after it, and destroys it", async () => {
    expectExit(await terraform("init"), 0);
    expectExit(await terraform("apply", "-auto-approve"), 0);
    // -detailed-exitcode: 0 is "no changes", 2 would be drift Stratus's answers made up.
    expectExit(await terraform("plan", "-detailed-exitcode"), 0);

    const name = `tf-${suffix}`;
    const fn = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "live" }));
    expect(fn.Configuration?.Version).toBe("1");
    const pc = await stack.lambda.send(
      new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: "live" }),
    );
    expect(pc).toMatchObject({ Status: "READY", AllocatedProvisionedConcurrentExecutions: 1 });
    const sqs = new SQSClient({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
    const cw = new CloudWatchClient({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${name}.fifo` }));
      const q = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
      expect(q.Attributes).toMatchObject({ FifoQueue: "true", ContentBasedDeduplication: "true" });
      const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [`${name}-errors`] }));
      expect(alarms.MetricAlarms?.[0]?.AlarmActions).toEqual([
        `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`,
      ]);

      expectExit(await terraform("destroy", "-auto-approve"), 0);
      expect(await errorName(stack.lambda.send(new GetFunctionCommand({ FunctionName: name })))).toBe(
        "ResourceNotFoundException",
      );
      expect(await errorName(sqs.send(new GetQueueUrlCommand({ QueueName: `${name}.fifo` })))).toBe(
        "QueueDoesNotExist",
      );
      expect((await cw.send(new DescribeAlarmsCommand({ AlarmNames: [`${name}-errors`] }))).MetricAlarms).toEqual([]);
    } finally {
      sqs.destroy();
      cw.destroy();
    }
  }, 300_000);
});
