// Terraform's AWS provider against a live stack, over the services around Lambda: a
// customer managed IAM policy attached to a role, a user with an access key, an event
// bus whose rule targets a function (with its permission) and a queue (with its
// policy), a schedule group with a schedule, a state machine, a secret with a version,
// a function with a layer, a URL and an async invoke configuration, a log stream, and
// an SNS topic with a raw, filtered queue subscription and a function subscription
// (with the function's permission for sns.amazonaws.com). Applied, planned with nothing
// to change, changed in one attribute of several resources (the policy's document, the
// rule's pattern, the schedule's rate, the machine's definition, the secret's value, the
// invoke configuration's retries, the URL's CORS, the topic's display name, the queue
// subscription's filter policy) and applied again, planned with nothing to change
// again, read back with the SDK, published to (the queue gets the message its filter
// passes, raw; the function gets both as SNS's Lambda event), and destroyed. Skipped,
// saying so, where Terraform or the provider is not installed (tests/helpers/terraform.ts).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetPolicyCommand, GetPolicyVersionCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetFunctionCommand, GetFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeStateMachineCommand, SFNClient } from "@aws-sdk/client-sfn";
import {
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  PublishCommand,
  SNSClient,
} from "@aws-sdk/client-sns";
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggedEvents } from "./helpers/functions.js";
import { errorName } from "./helpers/iam.js";
import { waitFor } from "./helpers/poll.js";
import { expectExit, providerBlock, type TerraformDir, terraformAvailable, terraformDir } from "./helpers/terraform.js";
import { useStack } from "./helpers/use-stack.js";
import { makeZip } from "./helpers/zip.js";

const available = terraformAvailable("tests/terraform-services.test.ts");

const stack = useStack();
const suffix = Math.random().toString(16).slice(2, 10);
const name = `tfs-${suffix}`;
let tf: TerraformDir | undefined;

/** The configuration; `changed` is the second apply's, one attribute different in several resources. */
function configuration(endpoint: string, changed: boolean): string {
  const services = ["lambda", "iam", "events", "scheduler", "logs", "secretsmanager", "sfn", "sqs", "sns"];
  return `${providerBlock(endpoint, services)}
locals {
  trust = { for s in ["lambda", "scheduler", "states"] : s => jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "\${s}.amazonaws.com" } }]
  }) }
}

# IAM: a customer managed policy attached to the function's role; a user with a key.
resource "aws_iam_role" "fn" {
  name               = "${name}-fn"
  assume_role_policy = local.trust["lambda"]
}
resource "aws_iam_policy" "fn" {
  name        = "${name}-fn"
  description = "what the function may do"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ${changed ? '["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]' : '["secretsmanager:GetSecretValue"]'}
      Resource = aws_secretsmanager_secret.s.arn
    }]
  })
}
resource "aws_iam_role_policy_attachment" "fn" {
  role       = aws_iam_role.fn.name
  policy_arn = aws_iam_policy.fn.arn
}
resource "aws_iam_user" "ci" {
  name = "${name}-ci"
}
resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

# Lambda: a layer from a zip, a function that uses it, its URL and async configuration.
resource "aws_lambda_layer_version" "lib" {
  layer_name          = "${name}-lib"
  filename            = "layer.zip"
  source_code_hash    = filebase64sha256("layer.zip")
  compatible_runtimes = ["nodejs20.x"]
}
resource "aws_lambda_function" "fn" {
  function_name    = "${name}"
  role             = aws_iam_role.fn.arn
  handler          = "index.handler"
  runtime          = "nodejs20.x"
  filename         = "function.zip"
  source_code_hash = filebase64sha256("function.zip")
  layers           = [aws_lambda_layer_version.lib.arn]
}
resource "aws_lambda_function_url" "fn" {
  function_name      = aws_lambda_function.fn.function_name
  authorization_type = "NONE"
  cors {
    allow_origins = [${changed ? '"https://example.com", "https://example.org"' : '"https://example.com"'}]
    allow_methods = ["GET", "POST"]
  }
}
resource "aws_lambda_function_event_invoke_config" "fn" {
  function_name                = aws_lambda_function.fn.function_name
  maximum_retry_attempts       = ${changed ? 0 : 1}
  maximum_event_age_in_seconds = 600
}

# EventBridge: a bus, a rule with a pattern, targets to the function and to a queue.
resource "aws_cloudwatch_event_bus" "b" {
  name = "${name}"
}
resource "aws_cloudwatch_event_rule" "r" {
  name           = "${name}"
  event_bus_name = aws_cloudwatch_event_bus.b.name
  event_pattern  = jsonencode({ source = [${changed ? '"app.orders", "app.billing"' : '"app.orders"'}] })
}
resource "aws_lambda_permission" "events" {
  statement_id  = "events"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.r.arn
}
resource "aws_cloudwatch_event_target" "fn" {
  rule           = aws_cloudwatch_event_rule.r.name
  event_bus_name = aws_cloudwatch_event_bus.b.name
  target_id      = "fn"
  arn            = aws_lambda_function.fn.arn
  depends_on     = [aws_lambda_permission.events]
}
resource "aws_sqs_queue" "q" {
  name = "${name}"
}
resource "aws_sqs_queue_policy" "q" {
  queue_url = aws_sqs_queue.q.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.q.arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.r.arn } }
    }]
  })
}
resource "aws_cloudwatch_event_target" "q" {
  rule           = aws_cloudwatch_event_rule.r.name
  event_bus_name = aws_cloudwatch_event_bus.b.name
  target_id      = "q"
  arn            = aws_sqs_queue.q.arn
  depends_on     = [aws_sqs_queue_policy.q]
}

# Scheduler: a group and a schedule at a rate whose target is the function, under a role.
resource "aws_iam_role" "scheduler" {
  name               = "${name}-scheduler"
  assume_role_policy = local.trust["scheduler"]
}
resource "aws_iam_role_policy" "scheduler" {
  role = aws_iam_role.scheduler.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "lambda:InvokeFunction", Resource = aws_lambda_function.fn.arn }]
  })
}
resource "aws_scheduler_schedule_group" "g" {
  name = "${name}"
}
resource "aws_scheduler_schedule" "s" {
  name                = "${name}"
  group_name          = aws_scheduler_schedule_group.g.name
  schedule_expression = "${changed ? "rate(2 hours)" : "rate(1 hour)"}"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.fn.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ from = "scheduler" })
  }
}

# Step Functions: a Pass and a Task that invokes the function, under a role.
resource "aws_iam_role" "sfn" {
  name               = "${name}-sfn"
  assume_role_policy = local.trust["states"]
}
resource "aws_iam_role_policy" "sfn" {
  role = aws_iam_role.sfn.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "lambda:InvokeFunction", Resource = aws_lambda_function.fn.arn }]
  })
}
resource "aws_sfn_state_machine" "m" {
  name     = "${name}"
  role_arn = aws_iam_role.sfn.arn
  definition = jsonencode({
    StartAt = "Prepare"
    States = {
      Prepare = { Type = "Pass", Result = { step = "${changed ? "second" : "first"}" }, Next = "Call" }
      Call    = { Type = "Task", Resource = aws_lambda_function.fn.arn, End = true }
    }
  })
}

# Secrets Manager: a secret and its value.
resource "aws_secretsmanager_secret" "s" {
  name                    = "${name}"
  recovery_window_in_days = 0
}
resource "aws_secretsmanager_secret_version" "s" {
  secret_id     = aws_secretsmanager_secret.s.id
  secret_string = jsonencode({ password = "${changed ? "second" : "first"}" })
}

# SNS: a topic (its display name changed) with a raw, filtered (its policy changed)
# subscription of a queue that lets the topic send to it, and one of the function, which
# lets sns.amazonaws.com invoke it for the topic.
resource "aws_sns_topic" "t" {
  name         = "${name}"
  display_name = "${changed ? "Orders (second)" : "Orders"}"
  tags         = { team = "shop" }
}
resource "aws_sqs_queue" "sns" {
  name = "${name}-sns"
}
resource "aws_sqs_queue_policy" "sns" {
  queue_url = aws_sqs_queue.sns.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.sns.arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_sns_topic.t.arn } }
    }]
  })
}
resource "aws_sns_topic_subscription" "q" {
  topic_arn            = aws_sns_topic.t.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.sns.arn
  raw_message_delivery = true
  filter_policy        = jsonencode({ kind = [${changed ? '"order", "refund"' : '"order"'}] })
  depends_on           = [aws_sqs_queue_policy.sns]
}
resource "aws_lambda_permission" "sns" {
  statement_id  = "sns"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.t.arn
}
resource "aws_sns_topic_subscription" "fn" {
  topic_arn  = aws_sns_topic.t.arn
  protocol   = "lambda"
  endpoint   = aws_lambda_function.fn.arn
  depends_on = [aws_lambda_permission.sns]
}

# CloudWatch Logs: a group and a stream in it.
resource "aws_cloudwatch_log_group" "g" {
  name              = "/stratus/${name}"
  retention_in_days = 7
}
resource "aws_cloudwatch_log_stream" "s" {
  name           = "stream"
  log_group_name = aws_cloudwatch_log_group.g.name
}
`;
}

const terraform = (...args: string[]) => (tf as TerraformDir).terraform(...args);
const write = (changed: boolean) =>
  writeFile(path.join((tf as TerraformDir).dir, "main.tf"), configuration(stack.endpoint, changed));

beforeAll(async () => {
  if (!available) return;
  tf = await terraformDir(stack.credentials);
  await writeFile(
    path.join(tf.dir, "function.zip"),
    await makeZip({
      "index.js":
        "exports.handler = async (e) => { console.log('EVENT ' + JSON.stringify(e)); return { lib: require('/opt/nodejs/lib.js').name, e }; };",
    }),
  );
  await writeFile(path.join(tf.dir, "layer.zip"), await makeZip({ "nodejs/lib.js": "exports.name = 'lib';" }));
  await write(false);
});
afterAll(async () => {
  await tf?.remove();
});

describe.skipIf(!available)("Terraform's AWS provider", () => {
  it("applies the services around a function, changes some of them, plans no change after each apply, and destroys them", async () => {
    expectExit(await terraform("init"), 0);
    expectExit(await terraform("apply", "-auto-approve"), 0);
    // -detailed-exitcode: 0 is "no changes", 2 would be drift Stratus's answers made up.
    expectExit(await terraform("plan", "-detailed-exitcode"), 0);

    await write(true);
    const plan = await terraform("plan", "-detailed-exitcode");
    expectExit(plan, 2);
    // Eight updated in place (the topic's display name and the queue subscription's filter
    // policy among them); the secret's version is replaced (the provider's secret_string
    // forces a new one: PutSecretValue, then the old version's labels taken off).
    expect(plan.stdout).toMatch(/1 to add, 8 to change, 1 to destroy/);
    expectExit(await terraform("apply", "-auto-approve"), 0);
    expectExit(await terraform("plan", "-detailed-exitcode"), 0);

    const config = { endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials };
    const iam = new IAMClient(config);
    const sm = new SecretsManagerClient(config);
    const eventBridge = new EventBridgeClient(config);
    const scheduler = new SchedulerClient(config);
    const sfn = new SFNClient(config);
    const sns = new SNSClient(config);
    const sqs = new SQSClient(config);
    try {
      const policyArn = `arn:aws:iam::${stack.credentials.accountId}:policy/${name}-fn`;
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
      expect(Policy?.DefaultVersionId).toBe("v2");
      const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: "v2" }));
      expect(decodeURIComponent(v.PolicyVersion?.Document ?? "")).toContain("secretsmanager:DescribeSecret");
      const secret = await sm.send(new GetSecretValueCommand({ SecretId: name }));
      expect(JSON.parse(secret.SecretString ?? "")).toEqual({ password: "second" });
      const eic = await stack.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
      expect(eic.MaximumRetryAttempts).toBe(0);
      const fn = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
      expect(fn.Configuration?.Layers?.[0]?.Arn).toMatch(new RegExp(`:layer:${name}-lib:1$`));
      const targets = await eventBridge.send(new ListTargetsByRuleCommand({ Rule: name, EventBusName: name }));
      expect(targets.Targets?.map((t) => t.Id).sort()).toEqual(["fn", "q"]);
      const schedule = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: name }));
      expect(schedule.ScheduleExpression).toBe("rate(2 hours)");
      const machineArn = `arn:aws:states:${stack.region}:${stack.credentials.accountId}:stateMachine:${name}`;
      const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
      expect(JSON.parse(machine.definition ?? "{}").States.Prepare.Result).toEqual({ step: "second" });

      // SNS: what Terraform made, then two messages: the one the queue's filter passes
      // arrives there raw, and both reach the function as SNS's Lambda event.
      const topicArn = `arn:aws:sns:${stack.region}:${stack.credentials.accountId}:${name}`;
      const topic = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
      expect(topic.Attributes?.DisplayName).toBe("Orders (second)");
      const tags = await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }));
      expect(tags.Tags).toEqual([{ Key: "team", Value: "shop" }]);
      const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];
      expect(subs.map((s) => s.Protocol).sort()).toEqual(["lambda", "sqs"]);
      const fnSub = subs.find((s) => s.Protocol === "lambda")?.SubscriptionArn as string;
      const queueSub = subs.find((s) => s.Protocol === "sqs")?.SubscriptionArn as string;
      const qAttrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: queueSub }))).Attributes;
      expect(qAttrs?.RawMessageDelivery).toBe("true");
      expect(JSON.parse(qAttrs?.FilterPolicy ?? "{}")).toEqual({ kind: ["order", "refund"] });
      const kind = (value: string) => ({ kind: { DataType: "String", StringValue: value } });
      const skipped = await sns.send(
        new PublishCommand({ TopicArn: topicArn, Message: "not for the queue", MessageAttributes: kind("other") }),
      );
      const refund = await sns.send(
        new PublishCommand({ TopicArn: topicArn, Message: "refund 7", MessageAttributes: kind("refund") }),
      );
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${name}-sns` }));
      const receive = (WaitTimeSeconds: number) =>
        sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds }));
      const got = await waitFor(async () => (await receive(1)).Messages, 20_000, { what: `a message in ${QueueUrl}` });
      expect(got.map((m) => m.Body)).toEqual(["refund 7"]);
      expect((await receive(1)).Messages ?? []).toEqual([]);

      const events = new Map<string, SNSEvent>();
      await waitFor(
        async () => {
          return (await loggedEvents(stack, name, events)).size >= 2 ? true : undefined;
        },
        45_000,
        { what: `two SNS events at ${name}`, intervalMs: 300 },
      );
      const records = [...events.values()].map((e) => e.Records[0]);
      const byMessage = new Map(records.map((r) => [r?.Sns.MessageId, r]));
      for (const [out, message, value] of [
        [skipped, "not for the queue", "other"],
        [refund, "refund 7", "refund"],
      ] as const) {
        const record = byMessage.get(out.MessageId);
        expect(record).toMatchObject({ EventSource: "aws:sns", EventSubscriptionArn: fnSub });
        expect(record?.Sns).toMatchObject({
          Type: "Notification",
          TopicArn: topicArn,
          Message: message,
          MessageAttributes: { kind: { Type: "String", Value: value } },
        });
      }

      expectExit(await terraform("destroy", "-auto-approve"), 0);
      expect(await errorName(stack.lambda.send(new GetFunctionCommand({ FunctionName: name })))).toBe(
        "ResourceNotFoundException",
      );
      expect(await errorName(iam.send(new GetPolicyCommand({ PolicyArn: policyArn })))).toBe("NoSuchEntityException");
      expect(await errorName(sm.send(new GetSecretValueCommand({ SecretId: name })))).toBe("ResourceNotFoundException");
      expect(await errorName(sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })))).toBe(
        "NotFoundException",
      );
      expect(await errorName(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: fnSub })))).toBe(
        "NotFoundException",
      );
    } finally {
      for (const client of [iam, sm, eventBridge, scheduler, sfn, sns, sqs]) client.destroy();
    }
  }, 600_000);
});
