// Stratus' own SQS queues as targets: an EventBridge rule's matched events (as they
// are, or through an InputTransformer) and a Scheduler schedule's ticks arrive as
// messages, written with the event's acceptance. A target queue deleted later sends
// its deliveries to the target's DeadLetterConfig (ERROR_CODE RESOURCE_NOT_FOUND), or
// counts them as lost. The queue's access policy that configurations carry for this
// (EventBridge allowed to send) is kept and read back. Driven by the AWS CLI and the
// official SDKs.
import {
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { ROLE, uniqueName } from "./helpers/functions.js";
import { metricValue } from "./helpers/metrics.js";
import { useTestQueues } from "./helpers/sqs-queues.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_SCHEDULE_POLL_MS: "200" } });
const queues = useTestQueues(stack);
const aws = useAwsCli(stack, "stratus-queue-targets-");
const cli = {
  events: cliCommands(aws, "events"),
  sqs: cliCommands(aws, "sqs"),
  scheduler: cliCommands(aws, "scheduler"),
};
let events: EventBridgeClient;
let scheduler: SchedulerClient;

beforeAll(() => {
  const opts = { endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials, maxAttempts: 1 };
  events = new EventBridgeClient(opts);
  scheduler = new SchedulerClient(opts);
});

afterAll(() => {
  events?.destroy();
  scheduler?.destroy();
});

const attr = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;

const lost = () => metricValue(stack.endpoint, "stratus_events_lost_total");

describe("an EventBridge rule with a queue target", () => {
  it("through the AWS CLI: the event as the message body, and an InputTransformer's output", async () => {
    const whole = await queues.create("target-whole");
    const shaped = await queues.create("target-shaped");
    const rule = uniqueName("to-queue");
    await cli.events.json("put-rule", "--name", rule, "--event-pattern", '{"source":["shop"]}');
    const targets = [
      { Id: "whole", Arn: whole.arn },
      {
        Id: "shaped",
        Arn: shaped.arn,
        InputTransformer: { InputPathsMap: { total: "$.detail.total" }, InputTemplate: '{"paid": <total>}' },
      },
    ];
    expect(await cli.events.json("put-targets", "--rule", rule, "--targets", JSON.stringify(targets))).toEqual({
      FailedEntryCount: 0,
      FailedEntries: [],
    });
    const put = await cli.events.json<{ Entries: Array<{ EventId: string }> }>(
      ...["put-events", "--entries", '[{"Source":"shop","DetailType":"Order","Detail":"{\\"total\\":150}"}]'],
    );
    const received = await cli.sqs.json<{ Messages: Array<{ Body: string; MD5OfBody: string }> }>(
      ...["receive-message", "--queue-url", whole.url, "--wait-time-seconds", "5"],
    );
    expect(JSON.parse(received.Messages[0]?.Body as string)).toMatchObject({
      id: put.Entries[0]?.EventId,
      source: "shop",
      "detail-type": "Order",
      account: stack.credentials.accountId,
      detail: { total: 150 },
    });
    const other = await queues.firstMessage(shaped.url);
    expect(JSON.parse(other.Body as string)).toEqual({ paid: 150 });
  });

  it("through the SDK: refuses a queue that is not there, and dead-letters deliveries once the queue is gone", async () => {
    const target = await queues.create("target-going");
    const dlq = await queues.create("target-dlq");
    const rule = uniqueName("to-gone");
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: rule, EventPattern: '{"source":["gone"]}' }));
    const refused = await events.send(
      new PutTargetsCommand({
        Rule: rule,
        Targets: [
          { Id: "missing", Arn: `${target.arn}-missing` },
          { Id: "foreign", Arn: target.arn.replace(stack.credentials.accountId, "999999999999") },
        ],
      }),
    );
    expect(refused.FailedEntries?.map((f) => [f.TargetId, f.ErrorCode])).toEqual([
      ["missing", "ValidationException"],
      ["foreign", "ValidationException"],
    ]);
    // FIFO queues' message groups are not served: refused by name.
    const fifo = await events
      .send(
        new PutTargetsCommand({
          Rule: rule,
          Targets: [{ Id: "fifo", Arn: target.arn, SqsParameters: { MessageGroupId: "g" } }],
        }),
      )
      .catch((e: Error) => e);
    expect(fifo).toMatchObject({ name: "ValidationException", message: expect.stringMatching(/SqsParameters/) });
    expect(refused.FailedEntries?.[0]?.ErrorMessage).toMatch(/does not exist/);
    expect(refused.FailedEntries?.[1]?.ErrorMessage).toMatch(/not a queue of account/);
    await events.send(
      new PutTargetsCommand({
        Rule: rule,
        Targets: [
          { Id: "with-dlq", Arn: target.arn, DeadLetterConfig: { Arn: dlq.arn } },
          { Id: "without", Arn: target.arn },
        ],
      }),
    );
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: rule }))).Targets?.length).toBe(2);
    await queues.sqs.send(new DeleteQueueCommand({ QueueUrl: target.url }));
    const lostBefore = await lost();
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: "gone", DetailType: "t", Detail: '{"n":1}' }] }),
    );
    // The entry is accepted: EventBridge takes events whatever becomes of their deliveries.
    expect(put.FailedEntryCount).toBe(0);
    const m = await queues.firstMessage(dlq.url);
    expect(JSON.parse(m.Body as string)).toMatchObject({ source: "gone", detail: { n: 1 } });
    expect(attr(m, "ERROR_CODE")).toBe("RESOURCE_NOT_FOUND");
    expect(attr(m, "ERROR_MESSAGE")).toContain(target.arn);
    expect(attr(m, "RULE_ARN")).toBe(RuleArn);
    expect(attr(m, "TARGET_ARN")).toBe(target.arn);
    expect(await lost()).toBe(lostBefore + 1);
  });
});

describe("a Scheduler schedule with a queue target", () => {
  it("sends each tick's input to the queue (SDK), and refuses a queue that is not there (CLI)", async () => {
    const q = await queues.create("schedule-target");
    const at = `at(${new Date(Date.now() + 2_000).toISOString().slice(0, 19)})`;
    const bad = await cli.scheduler.failure(
      ...["create-schedule", "--name", uniqueName("bad"), "--schedule-expression", at],
      ...["--flexible-time-window", '{"Mode":"OFF"}', "--target", JSON.stringify({ Arn: `${q.arn}-x`, RoleArn: ROLE })],
    );
    expect(bad).toMatch(/\(ValidationException\).*Target\.Arn: The queue .* does not exist/);
    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand({
        Name: uniqueName("to-queue"),
        ScheduleExpression: at,
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: q.arn,
          RoleArn: ROLE,
          Input: '{"schedule":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>"}',
        },
      }),
    );
    const m = await queues.firstMessage(q.url);
    const body = JSON.parse(m.Body as string);
    expect(body.schedule).toBe(ScheduleArn);
    expect(body.at).toBe(`${at.slice(3, -1)}Z`);
    // One tick, one message.
    await new Promise((r) => setTimeout(r, 1_000));
    const more = await cli.sqs.json<{ Attributes: Record<string, string> }>(
      ...["get-queue-attributes", "--queue-url", q.url, "--attribute-names", "All"],
    );
    expect(Number(more.Attributes.ApproximateNumberOfMessages)).toBe(0);
    expect(Number(more.Attributes.ApproximateNumberOfMessagesNotVisible)).toBe(1);
  });
});

describe("a queue's access policy", () => {
  it("is kept as given and read back (CLI), removed when set empty (SDK); a Deny is refused by name", async () => {
    const q = await queues.create("with-policy");
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "events",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: q.arn,
          Condition: {
            ArnEquals: { "aws:SourceArn": `arn:aws:events:${stack.region}:${stack.credentials.accountId}:rule/r` },
          },
        },
      ],
    });
    await cli.sqs.silent(
      "set-queue-attributes",
      "--queue-url",
      q.url,
      "--attributes",
      JSON.stringify({ Policy: policy }),
    );
    expect(await cli.sqs.json("get-queue-attributes", "--queue-url", q.url, "--attribute-names", "Policy")).toEqual({
      Attributes: { Policy: policy },
    });
    const deny = JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "sqs:*" }] });
    expect(
      await cli.sqs.failure(
        "set-queue-attributes",
        "--queue-url",
        q.url,
        "--attributes",
        JSON.stringify({ Policy: deny }),
      ),
    ).toMatch(/InvalidAttributeName.*Deny/);
    await queues.sqs.send(new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { Policy: "" } }));
    const all = await queues.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ["All"] }));
    expect(all.Attributes?.Policy).toBeUndefined();
    expect(all.Attributes?.QueueArn).toBe(q.arn);
  });
});
