// Dead letters in Stratus' own SQS queues, with a function that always fails: an
// EventBridge rule's target and a Scheduler schedule's target with a DeadLetterConfig,
// and an async invocation with an SQS OnFailure destination, each end in the queue in
// the shape AWS documents. A queue that does not exist, or another account's, is
// refused and nothing is stored. Driven by the AWS CLI and the official SDKs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
} from "@aws-sdk/client-eventbridge";
import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import type { Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, ROLE, uniqueName } from "./helpers/functions.js";
import { useTestQueues } from "./helpers/sqs-queues.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_SCHEDULE_POLL_MS: "200" } });
const queues = useTestQueues(stack);
let events: EventBridgeClient;
let scheduler: SchedulerClient;
let dir: string;
let fnArn: string;

const FAILS = `exports.handler = async () => { throw new Error("always fails"); };`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-dlq-"));
  const opts = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
    maxAttempts: 1,
  };
  events = new EventBridgeClient(opts);
  scheduler = new SchedulerClient(opts);
  const name = await deployFunction(stack, {
    runtime: "nodejs22.x",
    handler: "index.handler",
    files: { "index.js": FAILS },
  });
  fnArn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`;
}, 120_000);

afterAll(async () => {
  events?.destroy();
  scheduler?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const queue = () => queues.create("dlq");

const attr = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;

describe("dead letters in SQS", () => {
  it("writes a rule target's undeliverable event to its DeadLetterConfig queue", async () => {
    const dlq = await queue();
    const rule = uniqueName("dlq-rule");
    const { RuleArn } = await events.send(
      new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify({ source: ["dlq.test"] }) }),
    );
    // Through the AWS CLI: one target with a queue of the account, one with a queue that does not exist.
    const targets = [
      { Id: "good", Arn: fnArn, RetryPolicy: { MaximumRetryAttempts: 0 }, DeadLetterConfig: { Arn: dlq.arn } },
      { Id: "bad", Arn: fnArn, DeadLetterConfig: { Arn: `${dlq.arn}-missing` } },
    ];
    const put = await runAwsCli(stack, dir, [
      "events",
      "put-targets",
      "--rule",
      rule,
      "--targets",
      JSON.stringify(targets),
    ]);
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({ FailedEntryCount: 1, FailedEntries: [{ TargetId: "bad" }] });
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: rule }));
    expect(listed.Targets?.map((t) => [t.Id, t.DeadLetterConfig?.Arn])).toEqual([["good", dlq.arn]]);

    await events.send(new PutEventsCommand({ Entries: [{ Source: "dlq.test", DetailType: "t", Detail: '{"n":1}' }] }));
    const m = await queues.firstMessage(dlq.url);
    expect(JSON.parse(m.Body ?? "{}")).toMatchObject({ source: "dlq.test", detail: { n: 1 } });
    expect(attr(m, "RULE_ARN")).toBe(RuleArn);
    expect(attr(m, "TARGET_ARN")).toBe(fnArn);
    expect(attr(m, "ERROR_MESSAGE")).toContain("always fails");
    expect(attr(m, "EXHAUSTED_RETRY_CONDITION")).toBe("MaximumRetryAttempts");
    expect(attr(m, "RETRY_ATTEMPTS")).toBe("0");
  });

  it("writes a schedule's failed tick to its DeadLetterConfig queue, and refuses a queue that does not exist", async () => {
    const dlq = await queue();
    const at = `at(${new Date(Date.now() + 2_000).toISOString().slice(0, 19)})`;
    const target = {
      Arn: fnArn,
      RoleArn: ROLE,
      Input: '{"tick":"<aws.scheduler.schedule-arn>"}',
      RetryPolicy: { MaximumRetryAttempts: 0 },
    };
    const other = await stack.newAccount(uniqueName("other"));
    const refused = await scheduler
      .send(
        new CreateScheduleCommand({
          Name: uniqueName("bad"),
          ScheduleExpression: at,
          FlexibleTimeWindow: { Mode: "OFF" },
          Target: {
            ...target,
            DeadLetterConfig: { Arn: dlq.arn.replace(stack.credentials.accountId, other.accountId) },
          },
        }),
      )
      .catch((e: Error) => e);
    expect((refused as Error).name).toBe("ValidationException");
    const name = uniqueName("dlq-schedule");
    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        ScheduleExpression: at,
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { ...target, DeadLetterConfig: { Arn: dlq.arn } },
      }),
    );
    const m = await queues.firstMessage(dlq.url);
    expect(JSON.parse(m.Body ?? "{}")).toEqual({ tick: ScheduleArn });
    expect(attr(m, "SCHEDULE_ARN")).toBe(ScheduleArn);
    expect(attr(m, "TARGET_ARN")).toBe(fnArn);
    expect(attr(m, "ERROR_MESSAGE")).toContain("always fails");
  });

  it("writes an async invocation's failure record to an SQS OnFailure destination", async () => {
    const dlq = await queue();
    const fn = fnArn.split(":").pop() as string;
    const other = await stack.newAccount(uniqueName("other"));
    await expect(
      stack.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: fn,
          DestinationConfig: {
            OnFailure: { Destination: dlq.arn.replace(stack.credentials.accountId, other.accountId) },
          },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    const cfg = await runAwsCli(stack, dir, [
      "lambda",
      "put-function-event-invoke-config",
      "--function-name",
      fn,
      "--maximum-retry-attempts",
      "0",
      "--destination-config",
      JSON.stringify({ OnFailure: { Destination: dlq.arn } }),
    ]);
    expect(cfg.code).toBe(0);
    const inv = await stack.lambda.send(
      new InvokeCommand({ FunctionName: fn, InvocationType: "Event", Payload: Buffer.from('{"order":7}') }),
    );
    expect(inv.StatusCode).toBe(202);
    const m = await queues.firstMessage(dlq.url);
    const record = JSON.parse(m.Body ?? "{}");
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 1 },
      requestPayload: { order: 7 },
      responseContext: { statusCode: 200, functionError: "Unhandled" },
      responsePayload: { errorMessage: "always fails" },
    });
  });
});
