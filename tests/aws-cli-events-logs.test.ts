// The AWS CLI (botocore's parsers, not the JS SDK) on EventBridge and CloudWatch Logs'
// groups: rules described, disabled and enabled again, listed a page at a time, targets
// removed; buses described, listed by NextToken and deleted; a log group's retention
// policy deleted and the group itself (a function's too, with its streams), each change
// read back, and the services' refusals by AWS's error names.
import { beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { invokeFunction, uniqueName } from "./helpers/functions.js";
import { until } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
const aws = useAwsCli(stack, "stratus-cli-events-");
let fn: string;
let fnArn: string;

beforeAll(async () => {
  fn = await deployFunction(stack.lambda, "cli-target", "exports.handler = async () => 1;");
  fnArn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${fn}`;
});

const events = cliCommands(aws, "events");
const logs = cliCommands(aws, "logs");

const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${stack.region}:${stack.credentials.accountId}:${resource}`;

type Rule = { Name: string; State: string };

describe("EventBridge rules through the AWS CLI", () => {
  it("describes a rule, disables and enables it, and lists rules a page at a time", async () => {
    const prefix = uniqueName("cli-rule");
    const pattern = '{"source":["cli"]}';
    const made = await events.json(
      ...["put-rule", "--name", `${prefix}-a`, "--event-pattern", pattern, "--description", "first"],
    );
    expect(made).toEqual({ RuleArn: arn("events", `rule/${prefix}-a`) });
    const described = {
      Name: `${prefix}-a`,
      Arn: made.RuleArn,
      EventPattern: pattern,
      State: "ENABLED",
      Description: "first",
      EventBusName: "default",
      CreatedBy: stack.credentials.accountId,
    };
    expect(await events.json("describe-rule", "--name", `${prefix}-a`)).toEqual(described);

    await events.silent("disable-rule", "--name", `${prefix}-a`);
    expect(await events.json("describe-rule", "--name", `${prefix}-a`)).toEqual({ ...described, State: "DISABLED" });
    await events.silent("enable-rule", "--name", `${prefix}-a`);
    expect(await events.json("describe-rule", "--name", `${prefix}-a`)).toEqual(described);

    await events.json(
      ...["put-rule", "--name", `${prefix}-b`, "--schedule-expression", "rate(1 hour)", "--state", "DISABLED"],
    );
    await events.json("put-rule", "--name", `${prefix}-c`, "--event-pattern", pattern);
    // One rule a page: the CLI follows NextToken to the end.
    const listed = await events.json<{ Rules: Rule[] }>("list-rules", "--name-prefix", prefix, "--page-size", "1");
    expect(listed.Rules.map((r) => [r.Name, r.State])).toEqual([
      [`${prefix}-a`, "ENABLED"],
      [`${prefix}-b`, "DISABLED"],
      [`${prefix}-c`, "ENABLED"],
    ]);
    // A listed rule is shown as described, without CreatedBy.
    const { CreatedBy: _, ...shown } = described;
    expect(listed.Rules[0]).toEqual(shown);
    expect(listed.Rules[1]).toMatchObject({ ScheduleExpression: "rate(1 hour)", EventBusName: "default" });
    // Asked for one page of two, the next token comes back.
    const page = await events.json<{ Rules: Rule[]; NextToken?: string }>(
      ...["list-rules", "--name-prefix", prefix, "--limit", "2"],
    );
    expect(page.Rules.map((r) => r.Name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    const rest = await events.json<{ Rules: Rule[]; NextToken?: string }>(
      ...["list-rules", "--name-prefix", prefix, "--limit", "2", "--next-token", String(page.NextToken)],
    );
    expect(rest).toEqual({ Rules: [expect.objectContaining({ Name: `${prefix}-c` })] });
  });

  it("removes one target of a rule and keeps the other", async () => {
    const rule = uniqueName("cli-targets");
    await events.json("put-rule", "--name", rule, "--event-pattern", '{"source":["cli"]}');
    const put = await events.json("put-targets", "--rule", rule, "--targets", `Id=a,Arn=${fnArn}`, `Id=b,Arn=${fnArn}`);
    expect(put).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
    expect(await events.json("remove-targets", "--rule", rule, "--ids", "a")).toEqual({
      FailedEntryCount: 0,
      FailedEntries: [],
    });
    expect(await events.json("list-targets-by-rule", "--rule", rule)).toEqual({ Targets: [{ Id: "b", Arn: fnArn }] });
    // With a target left the rule cannot go; without it, it can.
    expect(await events.failure("delete-rule", "--name", rule)).toMatch(/\(ValidationException\).*has targets/);
    await events.json("remove-targets", "--rule", rule, "--ids", "b");
    expect(await events.json("list-targets-by-rule", "--rule", rule)).toEqual({ Targets: [] });
    await events.silent("delete-rule", "--name", rule);
    expect(await events.failure("describe-rule", "--name", rule)).toMatch(/\(ResourceNotFoundException\)/);
  });

  it("answers a missing rule with ResourceNotFoundException", async () => {
    const missing = uniqueName("cli-none");
    const notFound = new RegExp(`\\(ResourceNotFoundException\\).*Rule ${missing} does not exist on EventBus default`);
    expect(await events.failure("describe-rule", "--name", missing)).toMatch(notFound);
    expect(await events.failure("disable-rule", "--name", missing)).toMatch(notFound);
    expect(await events.failure("enable-rule", "--name", missing)).toMatch(notFound);
    expect(await events.failure("remove-targets", "--rule", missing, "--ids", "a")).toMatch(notFound);
    expect(await events.json("list-rules", "--name-prefix", missing)).toEqual({ Rules: [] });
  });
});

describe("EventBridge buses through the AWS CLI", () => {
  type Bus = { Name: string; Arn: string; Description?: string; CreationTime: number; LastModifiedTime: number };

  it("describes, lists by NextToken and deletes a bus", async () => {
    const prefix = uniqueName("cli-bus");
    const before = Date.now() / 1000;
    const made = await events.json<{ EventBusArn: string }>(
      ...["create-event-bus", "--name", `${prefix}-a`, "--description", "orders"],
    );
    expect(made).toEqual({ EventBusArn: arn("events", `event-bus/${prefix}-a`), Description: "orders" });
    const bus = await events.json<Bus>("describe-event-bus", "--name", `${prefix}-a`);
    expect(bus).toEqual({
      Name: `${prefix}-a`,
      Arn: made.EventBusArn,
      Description: "orders",
      CreationTime: expect.any(Number),
      LastModifiedTime: expect.any(Number),
    });
    expect(bus.CreationTime).toBeGreaterThan(before - 5);
    expect(bus.CreationTime).toBeLessThan(Date.now() / 1000 + 5);
    // No name: the default bus.
    expect(await events.json("describe-event-bus")).toMatchObject({
      Name: "default",
      Arn: arn("events", "event-bus/default"),
    });

    await events.json("create-event-bus", "--name", `${prefix}-b`);
    // ListEventBuses has no paginator in botocore: the next page is asked for by its token.
    const first = await events.json<{ EventBuses: Bus[]; NextToken?: string }>(
      ...["list-event-buses", "--name-prefix", prefix, "--limit", "1"],
    );
    expect(first.EventBuses).toEqual([bus]);
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await events.json<{ EventBuses: Bus[] }>(
      ...["list-event-buses", "--name-prefix", prefix, "--limit", "1", "--next-token", String(first.NextToken)],
    );
    expect(second).toEqual({ EventBuses: [expect.objectContaining({ Name: `${prefix}-b` })] });

    // A bus with a rule on it is not deleted.
    await events.json(
      ...["put-rule", "--name", "on-bus", "--event-bus-name", `${prefix}-a`, "--event-pattern", '{"source":["cli"]}'],
    );
    expect(await events.failure("delete-event-bus", "--name", `${prefix}-a`)).toMatch(
      /\(ValidationException\).*has rules/,
    );
    // A rule on another bus has the bus in its ARN; the bus may be named by its ARN too.
    const onBus = await events.json("describe-rule", "--name", "on-bus", "--event-bus-name", made.EventBusArn);
    expect(onBus).toMatchObject({ Arn: arn("events", `rule/${prefix}-a/on-bus`), EventBusName: `${prefix}-a` });
    const { CreatedBy: _, ...listedOnBus } = onBus;
    expect(await events.json("list-rules", "--event-bus-name", made.EventBusArn)).toEqual({ Rules: [listedOnBus] });
    expect(await events.json("describe-event-bus", "--name", made.EventBusArn)).toEqual(bus);
    await events.silent("delete-rule", "--name", "on-bus", "--event-bus-name", `${prefix}-a`);
    await events.silent("delete-event-bus", "--name", `${prefix}-a`);
    expect(await events.failure("describe-event-bus", "--name", `${prefix}-a`)).toMatch(
      new RegExp(`\\(ResourceNotFoundException\\).*Event bus ${prefix}-a does not exist`),
    );
    const left = await events.json<{ EventBuses: Bus[] }>("list-event-buses", "--name-prefix", prefix);
    expect(left.EventBuses.map((b) => b.Name)).toEqual([`${prefix}-b`]);
    // Its rules cannot be listed either: the bus is not there.
    expect(await events.failure("list-rules", "--event-bus-name", `${prefix}-a`)).toMatch(
      new RegExp(`\\(ResourceNotFoundException\\).*Event bus ${prefix}-a does not exist`),
    );
    expect(await events.json("list-rules", "--event-bus-name", `${prefix}-b`)).toEqual({ Rules: [] });
  });

  it("tags a bus and a rule on it by ARN: listed sorted, merged, removed, and refused past 50", async () => {
    const bus = uniqueName("cli-tags");
    const busArn = (
      await events.json<{ EventBusArn: string }>("create-event-bus", "--name", bus, "--tags", "Key=team,Value=core")
    ).EventBusArn;
    const { RuleArn: ruleArn } = await events.json<{ RuleArn: string }>(
      ...["put-rule", "--name", "tagged", "--event-bus-name", bus, "--event-pattern", '{"source":["cli"]}'],
    );
    expect(ruleArn).toBe(arn("events", `rule/${bus}/tagged`));
    const tagsOf = (resource: string) => events.json("list-tags-for-resource", "--resource-arn", resource);
    // What Terraform's aws_cloudwatch_event_bus and _rule read after every create and refresh.
    expect(await tagsOf(busArn)).toEqual({ Tags: [{ Key: "team", Value: "core" }] });
    expect(await tagsOf(ruleArn)).toEqual({ Tags: [] });
    await events.silent("tag-resource", "--resource-arn", ruleArn, "--tags", "Key=env,Value=dev", "Key=app,Value=a");
    await events.silent("tag-resource", "--resource-arn", ruleArn, "--tags", "Key=env,Value=prod");
    expect(await tagsOf(ruleArn)).toEqual({
      Tags: [
        { Key: "app", Value: "a" },
        { Key: "env", Value: "prod" },
      ],
    });
    await events.silent("untag-resource", "--resource-arn", ruleArn, "--tag-keys", "app", "absent");
    expect(await tagsOf(ruleArn)).toEqual({ Tags: [{ Key: "env", Value: "prod" }] });
    // A rule put again keeps its tags.
    await events.json("put-rule", "--name", "tagged", "--event-bus-name", bus, "--event-pattern", '{"source":["x"]}');
    expect(await tagsOf(ruleArn)).toEqual({ Tags: [{ Key: "env", Value: "prod" }] });
    // Past 50 tags nothing changes.
    const many = Array.from({ length: 50 }, (_, i) => `Key=k${i},Value=v`);
    expect(await events.failure("tag-resource", "--resource-arn", busArn, "--tags", ...many)).toMatch(
      /\(ValidationException\).*at most 50 tags/,
    );
    expect(await tagsOf(busArn)).toEqual({ Tags: [{ Key: "team", Value: "core" }] });
    // The default bus has tags of its own.
    const defaultBus = arn("events", "event-bus/default");
    expect(await tagsOf(defaultBus)).toEqual({ Tags: [] });
    expect(
      await events.failure("list-tags-for-resource", "--resource-arn", arn("events", `rule/${bus}/absent`)),
    ).toMatch(new RegExp(`\\(ResourceNotFoundException\\).*Rule absent does not exist on EventBus ${bus}`));
    expect(
      await events.failure(
        "tag-resource",
        "--resource-arn",
        arn("events", "event-bus/nope"),
        "--tags",
        "Key=a,Value=b",
      ),
    ).toMatch(/\(ResourceNotFoundException\).*Event bus nope does not exist/);
    expect(
      await events.failure("list-tags-for-resource", "--resource-arn", "arn:aws:sqs:us-east-1:123456789012:q"),
    ).toMatch(/\(ValidationException\).*event bus or a rule/);
    // Its description changes in place (Terraform's update), and an empty one removes it.
    expect(await events.json("update-event-bus", "--name", bus, "--description", "orders")).toEqual({
      Arn: busArn,
      Name: bus,
      Description: "orders",
    });
    expect(await events.json("describe-event-bus", "--name", bus)).toMatchObject({ Description: "orders" });
    await events.json("update-event-bus", "--name", bus, "--description", "");
    expect(await events.json("describe-event-bus", "--name", bus)).not.toHaveProperty("Description");
    expect(await events.failure("update-event-bus", "--name", bus, "--kms-key-identifier", "alias/k")).toMatch(
      /\(ValidationException\).*KmsKeyIdentifier is not supported/,
    );
    expect(await events.failure("update-event-bus", "--name", "nope", "--description", "x")).toMatch(
      /\(ResourceNotFoundException\).*Event bus nope does not exist/,
    );
    // Force is ignored for a rule no AWS service manages, as EventBridge ignores it.
    await events.silent("delete-rule", "--name", "tagged", "--event-bus-name", bus, "--force");
    await events.silent("delete-event-bus", "--name", bus);
  });

  it("refuses to delete the default bus", async () => {
    expect(await events.failure("delete-event-bus", "--name", "default")).toMatch(
      /\(ValidationException\).*Cannot delete event bus default/,
    );
    expect(await events.json("describe-event-bus", "--name", "default")).toMatchObject({ Name: "default" });
  });
});

describe("CloudWatch Logs groups through the AWS CLI", () => {
  type Groups = { logGroups: Array<{ logGroupName: string; retentionInDays?: number; arn: string }> };

  it("tags a group at create and by ARN or name; lists, merges and removes its tags", async () => {
    const group = `/stratus/${uniqueName("cli-tags")}`;
    await logs.silent("create-log-group", "--log-group-name", group, "--tags", "team=core,env=dev");
    const groupArn = arn("logs", `log-group:${group}`);
    // What Terraform's aws_cloudwatch_log_group reads after every create and refresh.
    expect(await logs.json("list-tags-for-resource", "--resource-arn", groupArn)).toEqual({
      tags: { team: "core", env: "dev" },
    });
    await logs.silent("tag-resource", "--resource-arn", groupArn, "--tags", "env=prod,app=a");
    await logs.silent("untag-resource", "--resource-arn", groupArn, "--tag-keys", "team");
    expect(await logs.json("list-tags-for-resource", "--resource-arn", groupArn)).toEqual({
      tags: { env: "prod", app: "a" },
    });
    // The older calls, by the group's name, read and change the same tags.
    await logs.silent("tag-log-group", "--log-group-name", group, "--tags", "by=name");
    await logs.silent("untag-log-group", "--log-group-name", group, "--tags", "app");
    expect(await logs.json("list-tags-log-group", "--log-group-name", group)).toEqual({
      tags: { env: "prod", by: "name" },
    });
    expect(await logs.failure("tag-resource", "--resource-arn", groupArn, "--tags", "aws:owned=x")).toMatch(
      /\(InvalidParameterException\).*Tag key/,
    );
    const many = Array.from({ length: 49 }, (_, i) => `k${i}=v`).join(",");
    expect(await logs.failure("tag-resource", "--resource-arn", groupArn, "--tags", many)).toMatch(
      /\(InvalidParameterException\).*at most 50 tags/,
    );
    expect(await logs.json("list-tags-log-group", "--log-group-name", group)).toEqual({
      tags: { env: "prod", by: "name" },
    });
    await logs.silent("delete-log-group", "--log-group-name", group);
    expect(await logs.failure("list-tags-for-resource", "--resource-arn", groupArn)).toMatch(
      /\(ResourceNotFoundException\).*log group does not exist/,
    );
    expect(await logs.failure("list-tags-for-resource", "--resource-arn", "arn:aws:sqs:us-east-1:1:q")).toMatch(
      /\(InvalidParameterException\).*log group's ARN/,
    );
  });

  it("deletes a group's retention policy, then the group", async () => {
    const group = `/stratus/${uniqueName("cli-logs")}`;
    await logs.silent("create-log-group", "--log-group-name", group);
    await logs.silent("put-retention-policy", "--log-group-name", group, "--retention-in-days", "7");
    const kept = await logs.json<Groups>("describe-log-groups", "--log-group-name-prefix", group);
    expect(kept.logGroups).toEqual([
      expect.objectContaining({
        logGroupName: group,
        retentionInDays: 7,
        arn: arn("logs", `log-group:${group}:*`),
      }),
    ]);

    await logs.silent("delete-retention-policy", "--log-group-name", group);
    const forever = await logs.json<Groups>("describe-log-groups", "--log-group-name-prefix", group);
    expect(forever.logGroups.map((g) => g.logGroupName)).toEqual([group]);
    expect(forever.logGroups[0]).not.toHaveProperty("retentionInDays");
    // Deleting a policy the group no longer has succeeds, as in CloudWatch Logs.
    await logs.silent("delete-retention-policy", "--log-group-name", group);

    await logs.silent("delete-log-group", "--log-group-name", group);
    expect(await logs.json("describe-log-groups", "--log-group-name-prefix", group)).toEqual({ logGroups: [] });
    expect(await logs.failure("delete-log-group", "--log-group-name", group)).toMatch(
      /\(ResourceNotFoundException\).*log group does not exist/,
    );
    expect(await logs.failure("delete-retention-policy", "--log-group-name", group)).toMatch(
      /\(ResourceNotFoundException\).*log group does not exist/,
    );
    // Gone, the name can be made again.
    await logs.silent("create-log-group", "--log-group-name", group);
    await logs.silent("delete-log-group", "--log-group-name", group);
  });

  it("deletes a function's log group with its streams and events", async () => {
    const group = `/aws/lambda/${fn}`;
    await invokeFunction(stack, fn);
    const reported = async () => {
      const r = await aws("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "REPORT");
      return r.code === 0 && (JSON.parse(r.stdout) as { events: unknown[] }).events.length > 0;
    };
    await until("the invocation's REPORT line stored", reported, 20_000, 300);
    const streams = await logs.json<{ logStreams: unknown[] }>("describe-log-streams", "--log-group-name", group);
    expect(streams.logStreams.length).toBeGreaterThan(0);

    await logs.silent("delete-log-group", "--log-group-name", group);
    expect(await logs.json("describe-log-groups", "--log-group-name-prefix", group)).toEqual({ logGroups: [] });
    for (const read of [
      ["describe-log-streams", "--log-group-name", group],
      ["filter-log-events", "--log-group-name", group],
    ]) {
      expect(await logs.failure(...read)).toMatch(/\(ResourceNotFoundException\).*log group does not exist/);
    }
    // Made again, the group has none of the old streams.
    await logs.silent("create-log-group", "--log-group-name", group);
    expect(await logs.json("describe-log-streams", "--log-group-name", group)).toEqual({ logStreams: [] });
  }, 60_000);
});
