// Terraform's AWS provider against a live stack, over the services around Lambda: a
// customer managed IAM policy attached to a role, a user with an access key, an event
// bus whose rule targets a function (with its permission) and a queue (with its
// policy), a schedule group with a schedule, a state machine, a secret with a version,
// a function with a layer, a URL and an async invoke configuration, and a log stream.
// Applied, planned with nothing to change, changed in one attribute of several
// resources (the policy's document, the rule's pattern, the schedule's rate, the
// machine's definition, the secret's value, the invoke configuration's retries, the
// URL's CORS) and applied again, planned with nothing to change again, read back with
// the SDK, and destroyed. Skipped, saying so, where Terraform or the provider is not
// installed (tests/helpers/terraform.ts).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetPolicyCommand, GetPolicyVersionCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetFunctionCommand, GetFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeStateMachineCommand, SFNClient } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorName } from "./helpers/iam.js";
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
  const services = ["lambda", "iam", "events", "scheduler", "logs", "secretsmanager", "sfn", "sqs"];
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
    await makeZip({ "index.js": "exports.handler = async (e) => ({ lib: require('/opt/nodejs/lib.js').name, e });" }),
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
    // Six updated in place; the secret's version is replaced (the provider's secret_string
    // forces a new one: PutSecretValue, then the old version's labels taken off).
    expect(plan.stdout).toMatch(/1 to add, 6 to change, 1 to destroy/);
    expectExit(await terraform("apply", "-auto-approve"), 0);
    expectExit(await terraform("plan", "-detailed-exitcode"), 0);

    const config = { endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials };
    const iam = new IAMClient(config);
    const sm = new SecretsManagerClient(config);
    const events = new EventBridgeClient(config);
    const scheduler = new SchedulerClient(config);
    const sfn = new SFNClient(config);
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
      const targets = await events.send(new ListTargetsByRuleCommand({ Rule: name, EventBusName: name }));
      expect(targets.Targets?.map((t) => t.Id).sort()).toEqual(["fn", "q"]);
      const schedule = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: name }));
      expect(schedule.ScheduleExpression).toBe("rate(2 hours)");
      const machineArn = `arn:aws:states:${stack.region}:${stack.credentials.accountId}:stateMachine:${name}`;
      const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
      expect(JSON.parse(machine.definition ?? "{}").States.Prepare.Result).toEqual({ step: "second" });

      expectExit(await terraform("destroy", "-auto-approve"), 0);
      expect(await errorName(stack.lambda.send(new GetFunctionCommand({ FunctionName: name })))).toBe(
        "ResourceNotFoundException",
      );
      expect(await errorName(iam.send(new GetPolicyCommand({ PolicyArn: policyArn })))).toBe("NoSuchEntityException");
      expect(await errorName(sm.send(new GetSecretValueCommand({ SecretId: name })))).toBe("ResourceNotFoundException");
    } finally {
      for (const client of [iam, sm, events, scheduler, sfn]) client.destroy();
    }
  }, 600_000);
});
