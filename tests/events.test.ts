// EventBridge rules and event buses on a live stack, driven by
// @aws-sdk/client-eventbridge and the AWS CLI unchanged: buses, rules and targets
// kept and listed, bad input refused with nothing stored, and put events reaching
// the functions their rules target, in EventBridge's shape or transformed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  type PutRuleCommandInput,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
  UpdateEventBusCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, storedLog, uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_SCHEDULE_POLL_MS: "200" } });
let events: EventBridgeClient;
let dir: string;
let fnName: string;
let fnArn: string;

/** Logs the event it gets (its log is read back by request id). */
const ECHO = `exports.handler = async (event) => { console.log("EVENT " + JSON.stringify(event)); return event; };`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-events-"));
  events = new EventBridgeClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
  });
  fnName = await deployFunction(stack, {
    runtime: "nodejs22.x",
    handler: "index.handler",
    files: { "index.js": ECHO },
  });
  fnArn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${fnName}`;
});

afterAll(async () => {
  events?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const aws = (...args: string[]) => runAwsCli(stack, dir, args);

/** The SDK models no ValidationException for EventBridge: it comes as a service exception by that name. */
async function refused(call: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.name).toBe(name);
  if (message) expect(err?.message).toMatch(message);
}

/** The events a function received, from its succeeded async invocations' logs. */
async function received(name: string, count: number): Promise<unknown[]> {
  const done = await waitFor(
    async () => {
      const res = await signedFetch(
        stack.endpoint,
        stack.region,
        stack.credentials,
        `/stratus/2026-11-01/functions/${name}/async-invocations`,
      );
      const list = ((await res.json()) as { Invocations: Array<{ RequestId: string; Status: string }> }).Invocations;
      const ok = list.filter((i) => i.Status === "succeeded");
      return ok.length >= count ? ok : undefined;
    },
    30_000,
    { what: `${count} deliveries to ${name}`, intervalMs: 250 },
  );
  return Promise.all(
    done.map(async (i) => JSON.parse(/EVENT (.*)/.exec(await storedLog(stack, i.RequestId))?.[1] ?? "null")),
  );
}

const deployEcho = () =>
  deployFunction(stack, { runtime: "nodejs22.x", handler: "index.handler", files: { "index.js": ECHO } });
const arnOf = (name: string) => `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`;

describe("event buses, through the SDK", () => {
  it("creates, describes, lists and deletes a bus; the default bus is always there", async () => {
    const name = uniqueName("orders");
    const made = await events.send(new CreateEventBusCommand({ Name: name, Description: "orders of the shop" }));
    expect(made.EventBusArn).toBe(`arn:aws:events:${stack.region}:${stack.credentials.accountId}:event-bus/${name}`);
    await expect(events.send(new CreateEventBusCommand({ Name: name }))).rejects.toBeInstanceOf(
      ResourceAlreadyExistsException,
    );
    expect(await events.send(new DescribeEventBusCommand({ Name: name }))).toMatchObject({
      Name: name,
      Arn: made.EventBusArn,
      Description: "orders of the shop",
    });
    expect((await events.send(new DescribeEventBusCommand({}))).Name).toBe("default");
    const listed = await events.send(new ListEventBusesCommand({}));
    expect(listed.EventBuses?.map((b) => b.Name)).toEqual(expect.arrayContaining(["default", name]));
    expect((await events.send(new ListEventBusesCommand({ NamePrefix: name }))).EventBuses?.map((b) => b.Name)).toEqual(
      [name],
    );
    // A bus with rules stays; the default bus always does.
    await events.send(new PutRuleCommand({ Name: "r", EventBusName: name, EventPattern: '{"source":["x"]}' }));
    await refused(events.send(new DeleteEventBusCommand({ Name: name })), "ValidationException", /has rules/);
    await events.send(new DeleteRuleCommand({ Name: "r", EventBusName: name }));
    await events.send(new DeleteEventBusCommand({ Name: name }));
    await expect(events.send(new DescribeEventBusCommand({ Name: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await refused(events.send(new DeleteEventBusCommand({ Name: "default" })), "ValidationException", /default/);
  });
});

describe("tags, through the SDK", () => {
  it("lists, adds and removes the tags of a rule on the default bus and of a bus", async () => {
    const name = uniqueName("tagged");
    const { RuleArn } = await events.send(
      new PutRuleCommand({ Name: name, EventPattern: '{"source":["x"]}', Tags: [{ Key: "__proto__", Value: "p" }] }),
    );
    expect(RuleArn).toBe(`arn:aws:events:${stack.region}:${stack.credentials.accountId}:rule/${name}`);
    const tagsOf = async (ResourceARN: string) =>
      (await events.send(new ListTagsForResourceCommand({ ResourceARN }))).Tags;
    // A key named __proto__ is a tag like any other.
    expect(await tagsOf(RuleArn as string)).toEqual([{ Key: "__proto__", Value: "p" }]);
    await events.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: "team", Value: "core" }] }));
    await events.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ["__proto__"] }));
    expect(await tagsOf(RuleArn as string)).toEqual([{ Key: "team", Value: "core" }]);
    const bus = uniqueName("tagged-bus");
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: bus }));
    await events.send(new TagResourceCommand({ ResourceARN: EventBusArn, Tags: [{ Key: "a", Value: "" }] }));
    expect(await tagsOf(EventBusArn as string)).toEqual([{ Key: "a", Value: "" }]);
    // Another account's rule is not found, and is left as it was.
    const otherAccount = await stack.newAccount(uniqueName("intruder"));
    const other = new EventBridgeClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: otherAccount.accessKeyId, secretAccessKey: otherAccount.secretAccessKey },
    });
    await expect(other.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      other.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: "x", Value: "y" }] })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    other.destroy();
    expect(await tagsOf(RuleArn as string)).toEqual([{ Key: "team", Value: "core" }]);
    const updated = await events.send(new UpdateEventBusCommand({ Name: bus, Description: "the shop's" }));
    expect({ arn: updated.Arn, description: updated.Description }).toEqual({
      arn: EventBusArn,
      description: "the shop's",
    });
    expect((await events.send(new DescribeEventBusCommand({ Name: bus }))).Description).toBe("the shop's");
    await events.send(new DeleteRuleCommand({ Name: name, Force: true }));
    await events.send(new DeleteEventBusCommand({ Name: bus }));
    await expect(events.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(events.send(new UpdateEventBusCommand({ Name: bus, Description: "x" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe("rules and targets, through the SDK", () => {
  it("puts, describes, lists, disables, enables and deletes rules and their targets", async () => {
    const name = uniqueName("rule");
    const pattern = JSON.stringify({ source: ["shop"], detail: { total: [{ numeric: [">", 100] }] } });
    const put = await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern, Description: "big orders" }));
    expect(put.RuleArn).toBe(`arn:aws:events:${stack.region}:${stack.credentials.accountId}:rule/${name}`);
    expect(await events.send(new DescribeRuleCommand({ Name: name }))).toMatchObject({
      Name: name,
      Arn: put.RuleArn,
      EventPattern: pattern,
      State: "ENABLED",
      Description: "big orders",
      EventBusName: "default",
    });
    await events.send(new DisableRuleCommand({ Name: name }));
    expect((await events.send(new DescribeRuleCommand({ Name: name }))).State).toBe("DISABLED");
    await events.send(new EnableRuleCommand({ Name: name }));
    const targets = await events.send(
      new PutTargetsCommand({
        Rule: name,
        Targets: [
          { Id: "a", Arn: fnArn, Input: '{"fixed":true}', RetryPolicy: { MaximumRetryAttempts: 2 } },
          { Id: "b", Arn: `${fnArn}:$LATEST`, InputPath: "$.detail" },
        ],
      }),
    );
    expect(targets).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: name }));
    expect(listed.Targets).toEqual([
      { Id: "a", Arn: fnArn, Input: '{"fixed":true}', RetryPolicy: { MaximumRetryAttempts: 2 } },
      { Id: "b", Arn: `${fnArn}:$LATEST`, InputPath: "$.detail" },
    ]);
    await refused(events.send(new DeleteRuleCommand({ Name: name })), "ValidationException", /has targets/);
    expect(await events.send(new RemoveTargetsCommand({ Rule: name, Ids: ["a", "b"] }))).toMatchObject({
      FailedEntryCount: 0,
    });
    await events.send(new DeleteRuleCommand({ Name: name }));
    await expect(events.send(new DescribeRuleCommand({ Name: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("pages through rules", async () => {
    const prefix = uniqueName("page");
    for (let i = 0; i < 5; i++) {
      await events.send(
        new PutRuleCommand({ Name: `${prefix}-${i}`, ScheduleExpression: "rate(1 day)", State: "DISABLED" }),
      );
    }
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await events.send(new ListRulesCommand({ NamePrefix: prefix, Limit: 2, NextToken: token }));
      names.push(...(page.Rules ?? []).map((r) => r.Name as string));
      token = page.NextToken;
    } while (token);
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`));
  });

  it("refuses to list the rules of a bus that does not exist", async () => {
    const bus = uniqueName("no-bus");
    await expect(events.send(new ListRulesCommand({ EventBusName: bus }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: `Event bus ${bus} does not exist.`,
    });
  });

  it.each<[string, Partial<PutRuleCommandInput>, string, RegExp]>([
    ["a pattern that is not JSON", { EventPattern: "{source:" }, "InvalidEventPatternException", /not valid JSON/],
    ["an unknown operator", { EventPattern: '{"a":[{"regex":"x"}]}' }, "InvalidEventPatternException", /regex/],
    ["a leaf that is not an array", { EventPattern: '{"source":"x"}' }, "InvalidEventPatternException", /array/],
    ["neither pattern nor schedule", {}, "ValidationException", /EventPattern or ScheduleExpression/],
    ["a bad schedule", { ScheduleExpression: "rate(30 seconds)" }, "ValidationException", /ScheduleExpression/],
    [
      "an at() schedule",
      { ScheduleExpression: "at(2030-01-01T00:00:00)" },
      "ValidationException",
      /ScheduleExpression/,
    ],
    [
      "a schedule on a custom bus",
      { ScheduleExpression: "rate(1 hour)", EventBusName: "other" },
      "ValidationException",
      /only on the default event bus/,
    ],
    [
      "an unknown State",
      { EventPattern: '{"a":["b"]}', State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" as never },
      "ValidationException",
      /State/,
    ],
  ])("refuses %s, storing nothing", async (_what, over, type, message) => {
    const name = uniqueName("bad");
    await refused(events.send(new PutRuleCommand({ Name: name, ...over })), type, message);
    await expect(events.send(new DescribeRuleCommand({ Name: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("refuses bad targets, storing none of them", async () => {
    const name = uniqueName("targets");
    await events.send(new PutRuleCommand({ Name: name, EventPattern: '{"source":["x"]}' }));
    await refused(
      events.send(
        new PutTargetsCommand({ Rule: name, Targets: [{ Id: "t", Arn: fnArn, Input: "{}", InputPath: "$" }] }),
      ),
      "ValidationException",
      /only one of/,
    );
    const foreign = await events.send(
      new PutTargetsCommand({
        Rule: name,
        Targets: [
          { Id: "other-account", Arn: `arn:aws:lambda:${stack.region}:999999999999:function:${fnName}` },
          { Id: "missing", Arn: arnOf("no-such-function") },
          { Id: "queue", Arn: "arn:aws:sqs:us-east-1:123456789012:q" },
          {
            Id: "no-dlq",
            Arn: fnArn,
            DeadLetterConfig: { Arn: `arn:aws:sqs:${stack.region}:${stack.credentials.accountId}:none` },
          },
        ],
      }),
    );
    expect(foreign.FailedEntryCount).toBe(4);
    expect(foreign.FailedEntries?.map((f) => [f.TargetId, f.ErrorCode])).toEqual([
      ["other-account", "ValidationException"],
      ["missing", "ValidationException"],
      ["queue", "ValidationException"],
      ["no-dlq", "ValidationException"],
    ]);
    expect(foreign.FailedEntries?.[0]?.ErrorMessage).toMatch(/not a function of account/);
    expect(foreign.FailedEntries?.[3]?.ErrorMessage).toMatch(/DeadLetterConfig\.Arn: The queue .* does not exist/);
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: name }))).Targets).toEqual([]);
    await events.send(new DeleteRuleCommand({ Name: name }));
  });

  it("tests event patterns", async () => {
    const event = JSON.stringify({
      id: "1",
      account: stack.credentials.accountId,
      source: "shop",
      time: "2026-12-04T10:00:00Z",
      region: stack.region,
      resources: [],
      "detail-type": "Order",
      detail: { total: 150 },
    });
    const yes = await events.send(
      new TestEventPatternCommand({ EventPattern: '{"detail":{"total":[{"numeric":[">",100]}]}}', Event: event }),
    );
    expect(yes.Result).toBe(true);
    const no = await events.send(new TestEventPatternCommand({ EventPattern: '{"source":["other"]}', Event: event }));
    expect(no.Result).toBe(false);
    await expect(
      events.send(new TestEventPatternCommand({ EventPattern: '{"source":"shop"}', Event: event })),
    ).rejects.toBeInstanceOf(InvalidEventPatternException);
  });
});

describe("put events", () => {
  it("delivers a matched event to the function in EventBridge's shape, and no other", async () => {
    const fn = await deployEcho();
    const rule = uniqueName("orders");
    await events.send(
      new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify({ source: ["shop"], "detail-type": ["Order"] }) }),
    );
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: "fn", Arn: arnOf(fn) }] }));
    const time = new Date("2026-12-04T10:00:00Z");
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "shop",
            DetailType: "Order",
            Detail: '{"total":150,"items":["a"]}',
            Resources: ["order/1"],
            Time: time,
          },
          { Source: "shop", DetailType: "Refund", Detail: "{}" },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    const [got] = await received(fn, 1);
    expect(got).toEqual({
      version: "0",
      id: out.Entries?.[0]?.EventId,
      "detail-type": "Order",
      source: "shop",
      account: stack.credentials.accountId,
      time: "2026-12-04T10:00:00Z",
      region: stack.region,
      resources: ["order/1"],
      detail: { total: 150, items: ["a"] },
    });
    await events.send(new RemoveTargetsCommand({ Rule: rule, Ids: ["fn"] }));
    await events.send(new DeleteRuleCommand({ Name: rule }));
  });

  it("routes on a custom bus and sends the InputTransformer's output", async () => {
    const fn = await deployEcho();
    const bus = uniqueName("bus");
    await events.send(new CreateEventBusCommand({ Name: bus }));
    await events.send(
      new PutRuleCommand({ Name: "paid", EventBusName: bus, EventPattern: '{"detail":{"state":["PAID"]}}' }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "paid",
        EventBusName: bus,
        Targets: [
          {
            Id: "fn",
            Arn: arnOf(fn),
            InputTransformer: {
              InputPathsMap: { order: "$.detail.order", total: "$.detail.total" },
              InputTemplate: '{"message": "order <order> is paid", "total": <total>, "rule": "<aws.events.rule-name>"}',
            },
          },
        ],
      }),
    );
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus,
            Source: "shop",
            DetailType: "Order",
            Detail: '{"order":"o-7","state":"PAID","total":42.5}',
          },
          // The same event on the default bus matches nothing there.
          { Source: "shop", DetailType: "Order", Detail: '{"order":"o-8","state":"PAID","total":1}' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    expect(await received(fn, 1)).toEqual([{ message: "order o-7 is paid", total: 42.5, rule: "paid" }]);
  });

  it("answers each bad entry with its error, and delivers the good ones", async () => {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { DetailType: "Order", Detail: "{}" },
          { Source: "shop", DetailType: "Order", Detail: "[1,2]" },
          { Source: "shop", DetailType: "Order", Detail: "{}", EventBusName: "no-such-bus" },
          { Source: "shop", DetailType: "Order", Detail: "{}" },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries?.map((e) => e.ErrorCode ?? "ok")).toEqual([
      "InvalidArgument",
      "MalformedDetail",
      "ResourceNotFoundException",
      "ok",
    ]);
    expect(out.Entries?.[3]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    const detail = `{"a":"${"x".repeat(262_144)}"}`;
    await refused(
      events.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "d", Detail: detail }] })),
      "ValidationException",
      /over the limit/,
    );
  });
});

// Each CLI command starts a Python process (2 to 5 s here): the whole walk took two minutes.
describe("EventBridge, through the AWS CLI", () => {
  it("runs the rule, target, bus and event commands unchanged", async () => {
    const fn = await deployEcho();
    const rule = uniqueName("cli");
    const bus = uniqueName("cli-bus");
    const ok = async (...args: string[]) => {
      const r = await aws("events", ...args);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout ? JSON.parse(r.stdout) : {};
    };
    expect((await ok("create-event-bus", "--name", bus)).EventBusArn).toContain(`:event-bus/${bus}`);
    expect(
      (await ok("list-event-buses", "--name-prefix", bus)).EventBuses.map((b: { Name: string }) => b.Name),
    ).toEqual([bus]);
    expect((await ok("describe-event-bus", "--name", bus)).Name).toBe(bus);
    const pattern = '{"source":["cli"],"detail":{"kind":[{"prefix":"ord"}]}}';
    const made = await ok("put-rule", "--name", rule, "--event-pattern", pattern);
    expect(made.RuleArn).toContain(`:rule/${rule}`);
    expect(await ok("describe-rule", "--name", rule)).toMatchObject({ Name: rule, EventPattern: pattern });
    await ok("disable-rule", "--name", rule);
    await ok("enable-rule", "--name", rule);
    const put = await ok("put-targets", "--rule", rule, "--targets", `Id=fn,Arn=${arnOf(fn)}`);
    expect(put.FailedEntryCount).toBe(0);
    expect((await ok("list-targets-by-rule", "--rule", rule)).Targets).toEqual([{ Id: "fn", Arn: arnOf(fn) }]);
    expect((await ok("list-rules", "--name-prefix", rule)).Rules.map((r: { Name: string }) => r.Name)).toEqual([rule]);
    const sent = await ok(
      "put-events",
      "--entries",
      JSON.stringify([{ Source: "cli", DetailType: "Order", Detail: '{"kind":"order"}' }]),
    );
    expect(sent.FailedEntryCount).toBe(0);
    const [got] = (await received(fn, 1)) as Array<Record<string, unknown>>;
    expect(got).toMatchObject({ id: sent.Entries[0].EventId, source: "cli", detail: { kind: "order" } });
    const tested = await ok(
      "test-event-pattern",
      "--event-pattern",
      pattern,
      "--event",
      JSON.stringify({
        id: "1",
        account: stack.credentials.accountId,
        source: "cli",
        time: "2026-12-04T10:00:00Z",
        region: stack.region,
        resources: [],
        "detail-type": "x",
        detail: { kind: "other" },
      }),
    );
    expect(tested.Result).toBe(false);
    const bad = await aws("events", "put-rule", "--name", `${rule}-bad`, "--event-pattern", '{"source":[{"nope":1}]}');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("InvalidEventPatternException");
    const refused = await aws("events", "delete-rule", "--name", rule);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("ValidationException");
    await ok("remove-targets", "--rule", rule, "--ids", "fn");
    await ok("delete-rule", "--name", rule);
    const scheduled = await ok("put-rule", "--name", `${rule}-tick`, "--schedule-expression", "rate(5 minutes)");
    expect(scheduled.RuleArn).toContain(`:rule/${rule}-tick`);
    await ok("delete-rule", "--name", `${rule}-tick`);
    await ok("delete-event-bus", "--name", bus);
  }, 300_000);
});
