// The web console's Triggers tab against a live stack: the rules of every event bus
// that target a function come back from one console call (rules made with the AWS CLI
// and the SDK on the default bus and on buses of their own); in headless Chromium the
// tab shows a function's URL (created and deleted from the page), a schedule, rules
// with their bus, a bucket notification, and an SQS event source mapping (the queue in
// fauxqs, an SQS server started here, the mapping made with the AWS CLI) that the page
// disables, enables and deletes, read back each time with the SDK and the AWS CLI;
// and SNS triggers: a topic (made with the SDK) subscribed from the tab, with the
// permission SNS needs, reached by a Publish; a subscription without that permission
// warned of and fixed from the tab; both removed from the tab.
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
  GetPolicyCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { PutBucketNotificationConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
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
import { deployFunction, loggedEvents, uniqueName } from "./helpers/functions.js";
import { until, waitFor } from "./helpers/poll.js";
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

describe("SNS triggers on the tab", () => {
  it("adds a topic's subscription with SNS's permission, warns of one without it, and removes both", async () => {
    const name = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: {
        "index.js": `exports.handler = async (event) => { console.log("EVENT " + JSON.stringify(event)); return "ok"; };`,
      },
    });
    const arn = (await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration
      ?.FunctionArn as string;
    const sns = new SNSClient({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
    const alerts = uniqueName("alerts");
    const bare = uniqueName("bare");
    const alertsArn = (await sns.send(new CreateTopicCommand({ Name: alerts }))).TopicArn as string;
    const bareArn = (await sns.send(new CreateTopicCommand({ Name: bare }))).TopicArn as string;
    const subscriptionsOf = async (topic: string) =>
      (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? [];
    const statementsOn = async (topic: string) => {
      const { Policy } = await stack.lambda.send(new GetPolicyCommand({ FunctionName: name }));
      const doc = JSON.parse(Policy as string) as {
        Statement: { Principal: { Service: string }; Condition?: { ArnLike?: Record<string, string> } }[];
      };
      return doc.Statement.filter(
        (st) => st.Principal.Service === "sns.amazonaws.com" && st.Condition?.ArnLike?.["AWS:SourceArn"] === topic,
      );
    };

    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, stack.endpoint, stack.credentials.accessKeyId, stack.credentials.secretAccessKey);
    await page.getByRole("heading", { name: "Functions" }).waitFor();
    await page.goto(`${stack.endpoint}/console/#/functions/${name}/code`);
    await page.getByRole("link", { name: "Triggers" }).click();
    const section = page.getByRole("region", { name: "SNS subscriptions" });
    await expect.poll(() => section.textContent(), { timeout: 10_000 }).toContain("None.");

    // Added from the tab: the subscription (SNS's own answer) and the permission SNS needs (Lambda's GetPolicy).
    await section.getByLabel("Topic").selectOption(alertsArn);
    await section.getByRole("button", { name: "Add SNS trigger" }).click();
    await expect.poll(() => section.textContent(), { timeout: 10_000 }).toContain(alertsArn);
    const made = await subscriptionsOf(alertsArn);
    expect(made.map((x) => [x.Protocol, x.Endpoint])).toEqual([["lambda", arn]]);
    expect(await statementsOn(alertsArn)).toHaveLength(1);
    expect(await section.textContent()).not.toContain("will fail");

    // A Publish to the topic reaches the function.
    await sns.send(new PublishCommand({ TopicArn: alertsArn, Message: "from the console's trigger" }));
    const seen = new Map<string, { Records?: { Sns: { TopicArn: string; Message: string } }[] }>();
    const got = await waitFor(
      async () =>
        [...(await loggedEvents(stack, name, seen)).values()].find((e) => e.Records?.[0]?.Sns.TopicArn === alertsArn),
      30_000,
      { what: "the published message at the function", intervalMs: 250 },
    );
    expect(got.Records?.[0]?.Sns.Message).toBe("from the console's trigger");

    // Subscribed with the SDK, with a filter policy and no permission: warned of, with the command to run.
    await sns.send(
      new SubscribeCommand({
        TopicArn: bareArn,
        Protocol: "lambda",
        Endpoint: arn,
        Attributes: { FilterPolicy: '{"kind":["paid"]}' },
      }),
    );
    await page.reload();
    const bareItem = section.getByRole("listitem").filter({ hasText: bareArn });
    await expect.poll(() => bareItem.textContent(), { timeout: 10_000 }).toContain("will fail");
    const text = (await bareItem.textContent()) ?? "";
    expect(text).toContain('Filter policy (MessageAttributes): {"kind":["paid"]}');
    expect(text).toContain("aws --endpoint-url");
    expect(text).toContain(`--principal sns.amazonaws.com --source-arn ${bareArn}`);
    expect(await section.getByRole("listitem").filter({ hasText: alertsArn }).textContent()).not.toContain("will fail");
    await shot(page, "triggers-sns");

    // Fixed from the tab: the permission is added and the warning goes.
    await bareItem.getByRole("button", { name: `Allow SNS to invoke for ${bare}` }).click();
    await expect.poll(() => bareItem.textContent(), { timeout: 10_000 }).not.toContain("will fail");
    expect(await statementsOn(bareArn)).toHaveLength(1);

    // Removed from the tab: unsubscribed (SNS lists none), the permission left in place.
    for (const [topic, topicArn] of [
      [alerts, alertsArn],
      [bare, bareArn],
    ] as const) {
      await section.getByRole("button", { name: `Remove SNS trigger from ${topic}` }).click();
      await until("the subscription removed", async () => (await subscriptionsOf(topicArn)).length === 0, 10_000);
      await expect.poll(() => section.textContent(), { timeout: 10_000 }).not.toContain(topicArn);
      expect(await statementsOn(topicArn)).toHaveLength(1);
    }
    await expect.poll(() => section.textContent()).toContain("None.");
    expect(await page.getByRole("alert").count()).toBe(0);
    expectSelfContained(w, stack.endpoint);
    await w.context.close();
    sns.destroy();
  }, 120_000);
});
