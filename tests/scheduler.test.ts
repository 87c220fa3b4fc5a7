// EventBridge Scheduler on a live stack, driven by @aws-sdk/client-scheduler and the
// AWS CLI unchanged: schedule groups and their tags, schedules' CRUD and listing, bad
// input refused with nothing stored, and a schedule firing its target function once
// per tick through the durable async path, with Scheduler's placeholders filled.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  SchedulerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
  ValidationException,
} from "@aws-sdk/client-scheduler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, storedLog } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_SCHEDULE_POLL_MS: "200" } });
let scheduler: SchedulerClient;
let dir: string;
let fnName: string;
let fnArn: string;
const ROLE = "arn:aws:iam::123456789012:role/scheduler";

/** Logs the event it gets (its log is read back by request id). */
const ECHO = `exports.handler = async (event) => { console.log("EVENT " + JSON.stringify(event)); return event; };`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-scheduler-"));
  scheduler = new SchedulerClient({
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
  scheduler?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const aws = (...args: string[]) => runAwsCli(stack, dir, args);

/** at() for `seconds` from now, in UTC, as Scheduler writes it. */
const atIn = (seconds: number) => `at(${new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19)})`;

/** The function's async invocations (newest first). */
async function invocationsOf(name: string): Promise<Array<{ RequestId: string; Status: string }>> {
  const res = await signedFetch(
    stack.endpoint,
    stack.region,
    stack.credentials,
    `/stratus/2026-11-01/functions/${name}/async-invocations`,
  );
  return ((await res.json()) as { Invocations: Array<{ RequestId: string; Status: string }> }).Invocations;
}

describe("EventBridge Scheduler, through the SDK", () => {
  it("keeps schedule groups and their tags", async () => {
    const group = `team-${Date.now()}`;
    const made = await scheduler.send(
      new CreateScheduleGroupCommand({ Name: group, Tags: [{ Key: "team", Value: "billing" }] }),
    );
    expect(made.ScheduleGroupArn).toBe(
      `arn:aws:scheduler:${stack.region}:${stack.credentials.accountId}:schedule-group/${group}`,
    );
    await expect(scheduler.send(new CreateScheduleGroupCommand({ Name: group }))).rejects.toBeInstanceOf(
      ConflictException,
    );
    expect(await scheduler.send(new GetScheduleGroupCommand({ Name: group }))).toMatchObject({
      Name: group,
      State: "ACTIVE",
    });
    const arn = made.ScheduleGroupArn as string;
    await scheduler.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "env", Value: "prod" }] }));
    await scheduler.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["team"] }));
    expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([
      { Key: "env", Value: "prod" },
    ]);
    const groups = await scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: "team-" }));
    expect(groups.ScheduleGroups?.map((g) => g.Name)).toContain(group);
    const all = await scheduler.send(new ListScheduleGroupsCommand({}));
    expect(all.ScheduleGroups?.map((g) => g.Name)).toContain("default");
    await scheduler.send(new DeleteScheduleGroupCommand({ Name: group }));
    await expect(scheduler.send(new GetScheduleGroupCommand({ Name: group }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(scheduler.send(new DeleteScheduleGroupCommand({ Name: "default" }))).rejects.toBeInstanceOf(
      ValidationException,
    );
    // A name outside Scheduler's pattern is a bad request, not a missing group or schedule.
    const bad = "bad name!";
    for (const send of [
      () => scheduler.send(new GetScheduleGroupCommand({ Name: bad })),
      () => scheduler.send(new DeleteScheduleGroupCommand({ Name: bad })),
      () => scheduler.send(new GetScheduleCommand({ Name: bad })),
      () => scheduler.send(new GetScheduleCommand({ Name: "ok", GroupName: bad })),
      () => scheduler.send(new DeleteScheduleCommand({ Name: bad })),
    ]) {
      await expect(send()).rejects.toBeInstanceOf(ValidationException);
    }
  });

  it("creates, reads, lists, updates and deletes schedules", async () => {
    const name = `nightly-${Date.now()}`;
    const target = { Arn: fnArn, RoleArn: ROLE, Input: '{"job":"report"}', RetryPolicy: { MaximumRetryAttempts: 2 } };
    const created = await scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        ScheduleExpression: "cron(0 22 ? * MON-FRI *)",
        ScheduleExpressionTimezone: "Europe/Paris",
        FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 },
        Target: target,
        Description: "stop the build machines",
      }),
    );
    expect(created.ScheduleArn).toBe(
      `arn:aws:scheduler:${stack.region}:${stack.credentials.accountId}:schedule/default/${name}`,
    );
    const got = await scheduler.send(new GetScheduleCommand({ Name: name }));
    expect(got).toMatchObject({
      Name: name,
      GroupName: "default",
      ScheduleExpression: "cron(0 22 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Paris",
      State: "ENABLED",
      FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 },
      Target: target,
      ActionAfterCompletion: "NONE",
      Description: "stop the build machines",
    });
    expect(got.CreationDate).toBeInstanceOf(Date);
    await scheduler.send(
      new UpdateScheduleCommand({
        Name: name,
        ScheduleExpression: "rate(5 minutes)",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: target,
        State: "DISABLED",
      }),
    );
    expect(await scheduler.send(new GetScheduleCommand({ Name: name }))).toMatchObject({
      ScheduleExpression: "rate(5 minutes)",
      State: "DISABLED",
    });
    const listed = await scheduler.send(new ListSchedulesCommand({ NamePrefix: name, State: "DISABLED" }));
    expect(listed.Schedules?.map((s) => [s.Name, s.Target?.Arn])).toEqual([[name, fnArn]]);
    await scheduler.send(new DeleteScheduleCommand({ Name: name }));
    await expect(scheduler.send(new GetScheduleCommand({ Name: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("pages through schedules", async () => {
    const prefix = `page-${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      await scheduler.send(
        new CreateScheduleCommand({
          Name: `${prefix}-${i}`,
          ScheduleExpression: "rate(1 day)",
          FlexibleTimeWindow: { Mode: "OFF" },
          Target: { Arn: fnArn, RoleArn: ROLE },
          State: "DISABLED",
        }),
      );
    }
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await scheduler.send(
        new ListSchedulesCommand({ NamePrefix: prefix, MaxResults: 2, NextToken: token }),
      );
      names.push(...(page.Schedules ?? []).map((s) => s.Name as string));
      token = page.NextToken;
    } while (token);
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`));
  });

  it.each([
    ["a * in both day fields", { ScheduleExpression: "cron(* * * * * *)" }, /day-of-month/],
    ["two #", { ScheduleExpression: "cron(0 9 ? * 2#1,3#2 *)" }, /#/],
    ["a rate under one minute", { ScheduleExpression: "rate(30 seconds)" }, /rate/],
    ["an at() in the past", { ScheduleExpression: "at(2020-01-01T00:00:00)" }, /past/],
    ["an unknown time zone", { ScheduleExpressionTimezone: "Mars/Olympus" }, /time zone/],
    [
      "a target that is neither a function, a queue, a state machine nor a topic",
      { Target: { Arn: "arn:aws:ecs:us-east-1:123456789012:cluster/c", RoleArn: ROLE } },
      /Lambda function, SQS queue, state machine or SNS topic/,
    ],
    [
      "another account's topic",
      { Target: { Arn: "arn:aws:sns:us-east-1:999999999999:t", RoleArn: ROLE } },
      /not a topic of account/,
    ],
    [
      "another account's queue",
      { Target: { Arn: "arn:aws:sqs:us-east-1:999999999999:q", RoleArn: ROLE } },
      /not a queue of account/,
    ],
    [
      "a function that does not exist",
      { Target: { Arn: "arn:aws:lambda:us-east-1:ACCOUNT:function:nope", RoleArn: ROLE } },
      /does not exist/,
    ],
    [
      "another account's function",
      { Target: { Arn: "arn:aws:lambda:us-east-1:999999999999:function:x", RoleArn: ROLE } },
      /not a function of account/,
    ],
    [
      "a dead-letter queue ARN that names no queue",
      { Target: { Arn: "FN", RoleArn: ROLE, DeadLetterConfig: { Arn: "arn:aws:sqs:us-east-1:1:q" } } },
      /DeadLetterConfig/,
    ],
    ["a FLEXIBLE window without its size", { FlexibleTimeWindow: { Mode: "FLEXIBLE" } }, /MaximumWindowInMinutes/],
  ])("refuses %s with a ValidationException, storing nothing", async (_what, over, message) => {
    const name = `bad-${Date.now()}`;
    const base = {
      Name: name,
      ScheduleExpression: "rate(1 hour)",
      FlexibleTimeWindow: { Mode: "OFF" as const },
      Target: { Arn: fnArn, RoleArn: ROLE },
    };
    const input = JSON.parse(
      JSON.stringify({ ...base, ...over })
        .replaceAll("ACCOUNT", stack.credentials.accountId)
        .replaceAll('"FN"', JSON.stringify(fnArn)),
    );
    const err = await scheduler.send(new CreateScheduleCommand(input)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toMatch(message);
    await expect(scheduler.send(new GetScheduleCommand({ Name: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe("a schedule firing", () => {
  it("invokes its target once at its at() time, asynchronously, with the placeholders filled, then deletes itself", async () => {
    const name = `once-${Date.now()}`;
    await scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        ScheduleExpression: atIn(3),
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        Target: {
          Arn: fnArn,
          RoleArn: ROLE,
          Input:
            '{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>","n":<aws.scheduler.attempt-number>}',
        },
      }),
    );
    const done = await waitFor(
      async () => {
        const list = await invocationsOf(fnName);
        return list.find((i) => i.Status === "succeeded");
      },
      20_000,
      { what: "the scheduled invocation", intervalMs: 250 },
    );
    const log = await storedLog(stack, done.RequestId);
    const event = JSON.parse(/EVENT (\{.*\})/.exec(log)?.[1] ?? "null");
    expect(event).toMatchObject({
      arn: `arn:aws:scheduler:${stack.region}:${stack.credentials.accountId}:schedule/default/${name}`,
      n: 1,
    });
    expect(event.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // Fired once, and gone (ActionAfterCompletion DELETE).
    await expect(scheduler.send(new GetScheduleCommand({ Name: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await invocationsOf(fnName)).filter((i) => i.Status === "succeeded")).toHaveLength(1);
  });
});

describe("EventBridge Scheduler, through the AWS CLI", () => {
  it("runs the schedule and group commands unchanged", async () => {
    const name = `cli-${Date.now()}`;
    const target = JSON.stringify({ Arn: fnArn, RoleArn: ROLE, Input: "{}" });
    const made = await aws(
      "scheduler",
      "create-schedule",
      "--name",
      name,
      "--schedule-expression",
      "cron(0 9 * * ? *)",
      "--target",
      target,
      "--flexible-time-window",
      '{"Mode":"OFF"}',
    );
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout).ScheduleArn).toContain(`:schedule/default/${name}`);
    const got = await aws("scheduler", "get-schedule", "--name", name);
    expect(JSON.parse(got.stdout)).toMatchObject({ Name: name, ScheduleExpression: "cron(0 9 * * ? *)" });
    const listed = await aws("scheduler", "list-schedules", "--name-prefix", name);
    expect(JSON.parse(listed.stdout).Schedules.map((s: { Name: string }) => s.Name)).toEqual([name]);
    const updated = await aws(
      "scheduler",
      "update-schedule",
      "--name",
      name,
      "--schedule-expression",
      "rate(2 hours)",
      "--target",
      target,
      "--flexible-time-window",
      '{"Mode":"OFF"}',
    );
    expect(updated.code, updated.stderr).toBe(0);
    const bad = await aws(
      "scheduler",
      "create-schedule",
      "--name",
      `${name}-bad`,
      "--schedule-expression",
      "cron(* * * * * *)",
      "--target",
      target,
      "--flexible-time-window",
      '{"Mode":"OFF"}',
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("ValidationException");
    expect((await aws("scheduler", "delete-schedule", "--name", name)).code).toBe(0);
    const group = `cli-group-${Date.now()}`;
    expect((await aws("scheduler", "create-schedule-group", "--name", group)).code).toBe(0);
    const groups = await aws("scheduler", "list-schedule-groups", "--name-prefix", group);
    expect(JSON.parse(groups.stdout).ScheduleGroups.map((g: { Name: string }) => g.Name)).toEqual([group]);
    const arn = `arn:aws:scheduler:${stack.region}:${stack.credentials.accountId}:schedule-group/${group}`;
    expect((await aws("scheduler", "tag-resource", "--resource-arn", arn, "--tags", "Key=a,Value=b")).code).toBe(0);
    const tags = await aws("scheduler", "list-tags-for-resource", "--resource-arn", arn);
    expect(JSON.parse(tags.stdout).Tags).toEqual([{ Key: "a", Value: "b" }]);
    expect((await aws("scheduler", "delete-schedule-group", "--name", group)).code).toBe(0);
  });
});
