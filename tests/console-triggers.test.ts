// The web console's Triggers tab against a live stack: the rules of every event bus
// that target a function come back from one console call (rules made with the AWS CLI
// and the SDK on the default bus and on buses of their own); in headless Chromium the
// tab shows a function's URL (created and deleted from the page), a schedule, rules
// with their bus, a bucket notification, and an SQS event source mapping (the queue in
// fauxqs, an SQS server started here, the mapping made with the AWS CLI) that the page
// disables, enables and deletes, read back each time with the SDK and the AWS CLI.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  AddPermissionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { PutBucketNotificationConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import {
  buildConsole,
  consoleSession,
  expectSelfContained,
  launchBrowser,
  openPage,
  shot,
  signIn,
} from "./helpers/console-browser.js";
import { deployFunction, uniqueName } from "./helpers/functions.js";
import { until } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

let fauxqs: FauxqsServer;
const cpEnv: Record<string, string> = {};
beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false });
  // The stack below reads this when it starts (its beforeAll runs after this one).
  cpEnv.STRATUS_SQS_ENDPOINTS = JSON.stringify([
    { Region: "*", Account: "*", Url: fauxqs.address, AccessKeyId: "test", SecretAccessKey: "test" },
  ]);
});
const stack = useStack({}, { controlPlaneEnv: cpEnv });
let browser: Browser;
let dir: string;
let events: EventBridgeClient;

beforeAll(async () => {
  buildConsole();
  browser = await launchBrowser();
  dir = await mkdtemp(path.join(tmpdir(), "stratus-console-triggers-"));
  events = new EventBridgeClient({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
}, 120_000);
afterAll(async () => {
  events?.destroy();
  await browser?.close();
  await fauxqs?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) =>
  runAwsCli({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials }, dir, args);
/** Runs an AWS CLI command that must succeed; its JSON answer, if any. */
async function ok(args: string[]): Promise<Record<string, unknown>> {
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
}
const newFunction = async () => {
  const name = await deployFunction(stack, {
    runtime: "nodejs22.x",
    handler: "index.handler",
    files: { "index.js": "exports.handler = async () => ({ ok: true });" },
  });
  const arn = (await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration
    ?.FunctionArn as string;
  return { name, arn };
};

describe("the rules that target a function", () => {
  it("come from every event bus in one call, with their bus and only the targets on the function", async () => {
    const fn = await newFunction();
    const other = await newFunction();
    // A bus of the CLI's: one rule with targets on the function (unqualified and $LATEST) and another function.
    const billing = uniqueName("billing");
    await ok(["events", "create-event-bus", "--name", billing]);
    await ok([
      "events",
      "put-rule",
      "--name",
      "paid",
      "--event-bus-name",
      billing,
      "--event-pattern",
      '{"source":["billing"]}',
    ]);
    const targets = [
      { Id: "fn", Arn: fn.arn },
      { Id: "other", Arn: other.arn },
      { Id: "latest", Arn: `${fn.arn}:$LATEST` },
    ];
    await ok([
      "events",
      "put-targets",
      "--rule",
      "paid",
      "--event-bus-name",
      billing,
      "--targets",
      JSON.stringify(targets),
    ]);
    // On the same bus, a rule on the other function only: not listed.
    await ok([
      "events",
      "put-rule",
      "--name",
      "refunds",
      "--event-bus-name",
      billing,
      "--event-pattern",
      '{"source":["refunds"]}',
    ]);
    await ok([
      "events",
      "put-targets",
      "--rule",
      "refunds",
      "--event-bus-name",
      billing,
      "--targets",
      JSON.stringify([{ Id: "other", Arn: other.arn }]),
    ]);
    // A bus of the SDK's and the default bus (where schedules go), each with a rule of the same name on the function.
    const shipping = uniqueName("shipping");
    const rule = uniqueName("hourly");
    await events.send(new CreateEventBusCommand({ Name: shipping }));
    await events.send(
      new PutRuleCommand({
        Name: rule,
        EventBusName: shipping,
        EventPattern: '{"source":["shipping"]}',
        State: "DISABLED",
      }),
    );
    await events.send(
      new PutRuleCommand({
        Name: rule,
        EventBusName: "default",
        ScheduleExpression: "rate(1 hour)",
        State: "DISABLED",
      }),
    );
    for (const bus of [shipping, "default"]) {
      await events.send(new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: "fn", Arn: fn.arn }] }));
    }

    const call = await consoleSession(stack.endpoint, stack.credentials);
    const res = await call(`/console/api/functions/${fn.name}/rules`);
    expect(res.status).toBe(200);
    const { Rules } = (await res.json()) as {
      Rules: { Name: string; EventBusName: string; Targets: { Id: string; Arn: string }[] }[];
    };
    const byBus = [...Rules].sort((a, b) => a.EventBusName.localeCompare(b.EventBusName));
    expect(byBus).toEqual(
      [
        {
          Name: "paid",
          EventBusName: billing,
          State: "ENABLED",
          EventPattern: '{"source":["billing"]}',
          Targets: [
            { Id: "fn", Arn: fn.arn },
            { Id: "latest", Arn: `${fn.arn}:$LATEST` },
          ],
        },
        {
          Name: rule,
          EventBusName: "default",
          State: "DISABLED",
          ScheduleExpression: "rate(1 hour)",
          Targets: [{ Id: "fn", Arn: fn.arn }],
        },
        {
          Name: rule,
          EventBusName: shipping,
          State: "DISABLED",
          EventPattern: '{"source":["shipping"]}',
          Targets: [{ Id: "fn", Arn: fn.arn }],
        },
      ].sort((a, b) => a.EventBusName.localeCompare(b.EventBusName)),
    );
    // The same targets as EventBridge's own ListTargetsByRule, read by the CLI.
    const listed = await ok(["events", "list-targets-by-rule", "--rule", "paid", "--event-bus-name", billing]);
    const onFn = (listed.Targets as { Id: string; Arn: string }[]).filter((t) => t.Arn.startsWith(fn.arn));
    expect(onFn).toEqual(byBus.find((r) => r.EventBusName === billing && r.Name === "paid")?.Targets);

    // The other function sees only its own rules; a missing function is Lambda's 404.
    const theirs = (await (await call(`/console/api/functions/${other.name}/rules`)).json()) as {
      Rules: { Name: string; Targets: { Id: string }[] }[];
    };
    expect(theirs.Rules.map((r) => [r.Name, r.Targets.map((t) => t.Id)])).toEqual([
      ["paid", ["other"]],
      ["refunds", ["other"]],
    ]);
    const missing = await call(`/console/api/functions/${uniqueName("nope")}/rules`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    // Another account's session does not reach the function; no session at all is refused.
    const elsewhere = await consoleSession(stack.endpoint, await stack.newAccount(uniqueName("other")));
    expect((await elsewhere(`/console/api/functions/${fn.name}/rules`)).status).toBe(404);
    expect((await fetch(`${stack.endpoint}/console/api/functions/${fn.name}/rules`)).status).toBe(401);
  });
});

describe("the Triggers tab", () => {
  it("shows a function's triggers, makes and deletes its URL, and disables, enables and deletes a mapping", async () => {
    const { name: target, arn } = await newFunction();
    const scheduler = new SchedulerClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: stack.credentials,
    });
    const schedule = uniqueName("nightly");
    await scheduler.send(
      new CreateScheduleCommand({
        Name: schedule,
        ScheduleExpression: "cron(0 3 * * ? *)",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: arn, RoleArn: "arn:aws:iam::123456789012:role/scheduler" },
      }),
    );
    scheduler.destroy();
    const rule = uniqueName("hourly");
    await ok(["events", "put-rule", "--name", rule, "--schedule-expression", "rate(1 hour)"]);
    await ok(["events", "put-targets", "--rule", rule, "--targets", JSON.stringify([{ Id: "fn", Arn: arn }])]);
    const bus = uniqueName("orders");
    const busRule = uniqueName("placed");
    await ok(["events", "create-event-bus", "--name", bus]);
    await ok([
      "events",
      "put-rule",
      "--name",
      busRule,
      "--event-bus-name",
      bus,
      "--event-pattern",
      '{"source":["shop"]}',
    ]);
    await ok([
      "events",
      "put-targets",
      "--rule",
      busRule,
      "--event-bus-name",
      bus,
      "--targets",
      JSON.stringify([{ Id: "fn", Arn: arn }]),
    ]);

    const bucket = uniqueName("uploads");
    await stack.lambda.send(
      new AddPermissionCommand({
        FunctionName: target,
        StatementId: "s3",
        Action: "lambda:InvokeFunction",
        Principal: "s3.amazonaws.com",
        SourceArn: `arn:aws:s3:::${bucket}`,
      }),
    );
    const s3 = new S3Client({
      endpoint: stack.endpoint,
      region: stack.region,
      forcePathStyle: true,
      credentials: stack.credentials,
    });
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [{ Id: "uploads", LambdaFunctionArn: arn, Events: ["s3:ObjectCreated:*"] }],
        },
      }),
    );
    s3.destroy();

    // An SQS queue (fauxqs) and a mapping from it, made with the AWS CLI.
    const sqs = new SQSClient({
      endpoint: fauxqs.address,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      useQueueUrlAsEndpoint: false,
    });
    const queue = uniqueName("jobs");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: QueueUrl as string, AttributeNames: ["QueueArn"] }),
    );
    sqs.destroy();
    const made = await ok([
      "lambda",
      "create-event-source-mapping",
      "--function-name",
      target,
      "--event-source-arn",
      Attributes?.QueueArn as string,
      "--batch-size",
      "7",
    ]);
    const uuid = made.UUID as string;
    const stateOf = async () => (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;

    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, stack.endpoint, stack.credentials.accessKeyId, stack.credentials.secretAccessKey);
    await page.getByRole("heading", { name: "Functions" }).waitFor();
    await page.goto(`${stack.endpoint}/console/#/functions/${target}/code`);
    await page.getByRole("link", { name: "Triggers" }).click();
    const section = (name: string) => page.getByRole("region", { name });
    await expect.poll(() => section("Scheduler schedules").textContent(), { timeout: 10_000 }).toContain(schedule);
    const rules = section("EventBridge rules");
    await expect.poll(() => rules.textContent()).toContain(`${rule} (bus default, rate(1 hour), ENABLED)`);
    expect(await rules.textContent()).toContain(`${busRule} (bus ${bus}, event pattern, ENABLED)`);
    await expect.poll(() => section("Bucket notifications").textContent()).toContain(`${bucket}: s3:ObjectCreated:*`);
    // The mapping, re-read by the page until its lease holder has started it.
    const row = section("Event source mappings").getByRole("row").filter({ hasText: queue });
    await expect.poll(() => row.locator("td").first().textContent(), { timeout: 20_000 }).toBe("Enabled");
    expect(await row.locator("td").nth(1).textContent()).toBe("7");

    // A URL made from the page, by keyboard: read back with the SDK's sibling, the CLI.
    await expect.poll(() => section("Function URL").textContent()).toContain("No function URL.");
    await page.getByLabel("Auth type").selectOption("NONE");
    await page.getByRole("button", { name: "Create function URL" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Delete function URL" }).waitFor({ timeout: 10_000 });
    expect(await section("Function URL").locator("dd").nth(1).textContent()).toBe("NONE");
    const url = (await ok(["lambda", "get-function-url-config", "--function-name", target])) as {
      FunctionUrl: string;
      AuthType: string;
    };
    expect(url.AuthType).toBe("NONE");
    expect(await section("Function URL").getByRole("link").textContent()).toBe(url.FunctionUrl);
    await shot(page, "triggers");

    await page.getByRole("button", { name: "Delete function URL" }).click();
    await expect.poll(() => section("Function URL").textContent()).toContain("No function URL.");
    const gone = await cli(["lambda", "get-function-url-config", "--function-name", target]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain("ResourceNotFoundException");

    // Disable, then enable, from the page: Lambda's own answer says so, and so does the page once settled.
    await page.getByRole("button", { name: `Disable mapping from ${queue}` }).click();
    await until("the mapping disabled", async () => (await stateOf()) === "Disabled", 20_000);
    expect((await ok(["lambda", "get-event-source-mapping", "--uuid", uuid])).State).toBe("Disabled");
    await expect.poll(() => row.locator("td").first().textContent(), { timeout: 10_000 }).toBe("Disabled");
    await page.getByRole("button", { name: `Enable mapping from ${queue}` }).click();
    await until("the mapping enabled", async () => (await stateOf()) === "Enabled", 20_000);
    expect((await ok(["lambda", "get-event-source-mapping", "--uuid", uuid])).State).toBe("Enabled");
    await expect.poll(() => row.locator("td").first().textContent(), { timeout: 10_000 }).toBe("Enabled");

    // Delete: gone from Lambda (the SDK's and the CLI's ResourceNotFoundException) and from the page.
    await page.getByRole("button", { name: `Delete mapping from ${queue}` }).click();
    await until(
      "the mapping deleted",
      async () => {
        try {
          await stateOf();
          return false;
        } catch (e) {
          if (e instanceof ResourceNotFoundException) return true;
          throw e;
        }
      },
      20_000,
    );
    const deleted = await cli(["lambda", "get-event-source-mapping", "--uuid", uuid]);
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toContain("ResourceNotFoundException");
    await expect.poll(() => section("Event source mappings").textContent(), { timeout: 10_000 }).toContain("None.");
    expect(await page.getByRole("alert").count()).toBe(0);
    expectSelfContained(w, stack.endpoint);
    await w.context.close();
  }, 120_000);
});
