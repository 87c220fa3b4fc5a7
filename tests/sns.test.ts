// SNS on a live stack, driven by the real AWS CLI (aws sns) and @aws-sdk/client-sns:
// topics and their attributes and tags, lambda and sqs subscriptions, messages reaching
// a function as SNS's Lambda event and a queue as SNS's envelope (or raw, with its
// attributes), filter policies on attributes and on the body, PublishBatch, the
// function permission SNS needs, a subscription's dead-letter queue, FIFO topics
// (ordered per group into FIFO queues, deduplicated, numbered), and AWS-shaped
// refusals that change nothing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SNSServiceException,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, loggedEvents, uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
let dir: string;
let sns: SNSClient;
let sqs: SQSClient;
let fnName: string;

/** Logs the event it gets (read back by request id). */
const ECHO = `exports.handler = async (event) => { console.log("EVENT " + JSON.stringify(event)); return "ok"; };`;

const aws = (...args: string[]) => runAwsCli(stack, dir, args);
const fnArn = (name: string) => `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`;
const queueArn = (name: string) => `arn:aws:sqs:${stack.region}:${stack.credentials.accountId}:${name}`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-sns-"));
  const client = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
  };
  sns = new SNSClient(client);
  sqs = new SQSClient(client);
  fnName = await deployFunction(stack, {
    runtime: "nodejs22.x",
    handler: "index.handler",
    files: { "index.js": ECHO },
  });
});

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function newQueue(prefix: string): Promise<{ url: string; arn: string }> {
  const name = uniqueName(prefix);
  const made = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return { url: made.QueueUrl as string, arn: queueArn(name) };
}

/** The next `count` messages of the queue (long polls until they are there). */
async function receive(url: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  await waitFor(
    async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
        }),
      );
      got.push(...(out.Messages ?? []));
      return got.length >= count ? got : undefined;
    },
    20_000,
    { what: `${count} messages in ${url}` },
  );
  return got;
}

const snsError = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SNSServiceException);
  return err as SNSServiceException;
};

const logged = new Map<string, SNSEvent>();

/** The SNS events `name` received from `topicArn`, once `count` of them have run. */
async function received(name: string, topicArn: string, count: number): Promise<SNSEvent[]> {
  return waitFor(
    async () => {
      const mine = [...(await loggedEvents(stack, name, logged)).values()].filter(
        (e) => e.Records[0]?.Sns.TopicArn === topicArn,
      );
      return mine.length >= count ? mine : undefined;
    },
    45_000,
    { what: `${count} events of ${topicArn} at ${name}`, intervalMs: 300 },
  );
}

describe("topics with the AWS CLI", () => {
  it("creates, describes, tags, lists and deletes a topic, and refuses what Stratus does not do by name", async () => {
    const name = uniqueName("orders");
    const made = await aws("sns", "create-topic", "--name", name, "--tags", "Key=team,Value=shop");
    expect(made.code, made.stderr).toBe(0);
    const arn = (JSON.parse(made.stdout) as { TopicArn: string }).TopicArn;
    expect(arn).toBe(`arn:aws:sns:${stack.region}:${stack.credentials.accountId}:${name}`);
    // The same name again answers the same topic.
    const again = await aws("sns", "create-topic", "--name", name);
    expect(JSON.parse(again.stdout)).toEqual({ TopicArn: arn });

    const set = await aws(
      "sns",
      "set-topic-attributes",
      "--topic-arn",
      arn,
      "--attribute-name",
      "DisplayName",
      "--attribute-value",
      "Orders",
    );
    expect(set.code, set.stderr).toBe(0);
    const attrs = JSON.parse((await aws("sns", "get-topic-attributes", "--topic-arn", arn)).stdout) as {
      Attributes: Record<string, string>;
    };
    expect(attrs.Attributes).toMatchObject({
      TopicArn: arn,
      Owner: stack.credentials.accountId,
      DisplayName: "Orders",
      SubscriptionsConfirmed: "0",
    });
    expect(JSON.parse(attrs.Attributes.Policy as string).Statement[0].Resource).toBe(arn);

    expect((await aws("sns", "tag-resource", "--resource-arn", arn, "--tags", "Key=stage,Value=prod")).code).toBe(0);
    expect((await aws("sns", "untag-resource", "--resource-arn", arn, "--tag-keys", "team")).code).toBe(0);
    const tags = JSON.parse((await aws("sns", "list-tags-for-resource", "--resource-arn", arn)).stdout);
    expect(tags).toEqual({ Tags: [{ Key: "stage", Value: "prod" }] });
    const listed = JSON.parse((await aws("sns", "list-topics")).stdout) as { Topics: Array<{ TopicArn: string }> };
    expect(listed.Topics.map((t) => t.TopicArn)).toContain(arn);

    // Refused, nothing made or changed: a .fifo name needs FifoTopic true (SNS's error).
    const fifo = await aws("sns", "create-topic", "--name", `${uniqueName("f")}.fifo`);
    expect(fifo.code).not.toBe(0);
    expect(fifo.stderr).toMatch(/InvalidParameter.*Fifo Topic names must end with .fifo/);
    const kms = await aws(
      "sns",
      "set-topic-attributes",
      "--topic-arn",
      arn,
      "--attribute-name",
      "KmsMasterKeyId",
      "--attribute-value",
      "alias/aws/sns",
    );
    expect(kms.stderr).toMatch(/KmsMasterKeyId is not supported by Stratus/);
    const http = await aws(
      "sns",
      "subscribe",
      "--topic-arn",
      arn,
      "--protocol",
      "https",
      "--notification-endpoint",
      "https://example.com/hook",
    );
    expect(http.stderr).toMatch(/Protocol https \(Stratus delivers to lambda and sqs\) is not supported by Stratus/);
    const sms = await aws("sns", "publish", "--phone-number", "+15555550100", "--message", "hi");
    expect(sms.stderr).toMatch(/PhoneNumber \(SMS\) is not supported by Stratus/);
    const after = JSON.parse((await aws("sns", "get-topic-attributes", "--topic-arn", arn)).stdout);
    expect(after.Attributes.KmsMasterKeyId).toBeUndefined();
    expect(after.Attributes.SubscriptionsConfirmed).toBe("0");

    expect((await aws("sns", "delete-topic", "--topic-arn", arn)).code).toBe(0);
    const gone = await aws("sns", "get-topic-attributes", "--topic-arn", arn);
    expect(gone.stderr).toMatch(/NotFound/);
    // Deleting it again succeeds, as on SNS.
    expect((await aws("sns", "delete-topic", "--topic-arn", arn)).code).toBe(0);
  });
});

describe("delivery", () => {
  it("delivers to a function as SNS's Lambda event once SNS may invoke it, and to queues as the envelope or raw", async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName("events") }))).TopicArn as string;
    const plain = await newQueue("plain");
    const raw = await newQueue("raw");
    const dlq = await newQueue("dlq");
    const toFn = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "lambda",
        Endpoint: fnArn(fnName),
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: plain.arn }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: raw.arn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(subs.Subscriptions?.map((s) => s.Protocol).sort()).toEqual(["lambda", "sqs", "sqs"]);

    // Without the function's permission the delivery fails, to the subscription's dead-letter queue.
    const first = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "unpermitted" }));
    const [dead] = await receive(dlq.url, 1);
    expect(JSON.parse(dead?.Body as string)).toMatchObject({ MessageId: first.MessageId, Message: "unpermitted" });
    expect(dead?.MessageAttributes?.ErrorMessage?.StringValue).toMatch(/sns.amazonaws.com is not allowed/);
    await receive(plain.url, 1);
    await receive(raw.url, 1);

    const lambda = (await import("@aws-sdk/client-lambda")).LambdaClient;
    const lc = new lambda({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
    });
    await lc.send(
      new AddPermissionCommand({
        FunctionName: fnName,
        StatementId: "sns",
        Action: "lambda:InvokeFunction",
        Principal: "sns.amazonaws.com",
        SourceArn: topicArn,
      }),
    );
    lc.destroy();

    const sent = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: "order 42 shipped",
        Subject: "Shipping",
        MessageAttributes: {
          kind: { DataType: "String", StringValue: "shipped" },
          weight: { DataType: "Number", StringValue: "12.5" },
        },
      }),
    );
    const [event] = await received(fnName, topicArn, 1);
    const record = event?.Records[0];
    expect(record).toMatchObject({
      EventSource: "aws:sns",
      EventVersion: "1.0",
      EventSubscriptionArn: toFn.SubscriptionArn,
      Sns: {
        Type: "Notification",
        MessageId: sent.MessageId,
        TopicArn: topicArn,
        Subject: "Shipping",
        Message: "order 42 shipped",
        MessageAttributes: { kind: { Type: "String", Value: "shipped" }, weight: { Type: "Number", Value: "12.5" } },
      },
    });

    const [wrapped] = await receive(plain.url, 1);
    expect(JSON.parse(wrapped?.Body as string)).toMatchObject({
      Type: "Notification",
      MessageId: sent.MessageId,
      TopicArn: topicArn,
      Subject: "Shipping",
      Message: "order 42 shipped",
      MessageAttributes: { kind: { Type: "String", Value: "shipped" } },
    });
    const [bare] = await receive(raw.url, 1);
    expect(bare?.Body).toBe("order 42 shipped");
    expect(bare?.MessageAttributes?.weight).toMatchObject({ DataType: "Number", StringValue: "12.5" });

    // Unsubscribed, a queue gets nothing more.
    const rawSub = subs.Subscriptions?.find((s) => s.Endpoint === raw.arn)?.SubscriptionArn as string;
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: rawSub }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "after" }));
    expect(JSON.parse((await receive(plain.url, 1))[0]?.Body as string).Message).toBe("after");
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: raw.url, WaitTimeSeconds: 1 }));
    expect(none.Messages ?? []).toEqual([]);
  });

  it("filters by attributes and by body, checks policies when set, and publishes batches entry by entry", async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName("filtered") }))).TopicArn as string;
    const red = await newQueue("red");
    const big = await newQueue("big");
    const byAttr = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: red.arn,
        Attributes: {
          FilterPolicy: JSON.stringify({ color: ["red"], size: [{ numeric: [">=", 10] }] }),
          RawMessageDelivery: "true",
        },
      }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: big.arn,
        Attributes: {
          FilterPolicy: JSON.stringify({ order: { total: [{ numeric: [">", 100] }] } }),
          FilterPolicyScope: "MessageBody",
          RawMessageDelivery: "true",
        },
      }),
    );
    const attrs = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: byAttr.SubscriptionArn }));
    expect(attrs.Attributes).toMatchObject({ FilterPolicyScope: "MessageAttributes", RawMessageDelivery: "true" });

    // A bad policy is refused, and the one set stays.
    const bad = await snsError(
      sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn: byAttr.SubscriptionArn,
          AttributeName: "FilterPolicy",
          AttributeValue: JSON.stringify({ nested: { key: ["x"] } }),
        }),
      ),
    );
    expect(bad.name).toBe("InvalidParameterException");
    expect(bad.message).toMatch(/nested keys need FilterPolicyScope MessageBody/);
    const wildcard = await snsError(
      sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn: byAttr.SubscriptionArn,
          AttributeName: "FilterPolicy",
          AttributeValue: JSON.stringify({ color: [{ wildcard: "r*" }] }),
        }),
      ),
    );
    expect(wildcard.message).toMatch(/wildcard/);
    const still = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: byAttr.SubscriptionArn }));
    expect(JSON.parse(still.Attributes?.FilterPolicy as string)).toEqual({
      color: ["red"],
      size: [{ numeric: [">=", 10] }],
    });

    const batch = await aws(
      "sns",
      "publish-batch",
      "--topic-arn",
      topicArn,
      "--publish-batch-request-entries",
      JSON.stringify([
        {
          Id: "red-big",
          Message: "a",
          MessageAttributes: {
            color: { DataType: "String", StringValue: "red" },
            size: { DataType: "Number", StringValue: "12" },
          },
        },
        {
          Id: "red-small",
          Message: "b",
          MessageAttributes: {
            color: { DataType: "String", StringValue: "red" },
            size: { DataType: "Number", StringValue: "3" },
          },
        },
        {
          Id: "blue",
          Message: "c",
          MessageAttributes: {
            color: { DataType: "String", StringValue: "blue" },
            size: { DataType: "Number", StringValue: "50" },
          },
        },
        { Id: "order", Message: JSON.stringify({ order: { total: 250 } }) },
        { Id: "small-order", Message: JSON.stringify({ order: { total: 5 } }) },
        { Id: "bad", Message: "d", MessageAttributes: { size: { DataType: "Number", StringValue: "many" } } },
      ]),
    );
    expect(batch.code, batch.stderr).toBe(0);
    const out = JSON.parse(batch.stdout) as {
      Successful: Array<{ Id: string }>;
      Failed: Array<{ Id: string; Code: string; SenderFault: boolean }>;
    };
    expect(out.Successful.map((s) => s.Id)).toEqual(["red-big", "red-small", "blue", "order", "small-order"]);
    expect(out.Failed).toEqual([expect.objectContaining({ Id: "bad", Code: "InvalidParameter", SenderFault: true })]);

    expect((await receive(red.url, 1)).map((m) => m.Body)).toEqual(["a"]);
    expect((await receive(big.url, 1)).map((m) => JSON.parse(m.Body as string))).toEqual([{ order: { total: 250 } }]);
    const more = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: red.url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    expect(more.Messages ?? []).toEqual([]);

    // A batch over the entry limit, or with a repeated id, is refused whole.
    const many = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, Message: "x" }));
    expect(
      (await snsError(sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: many }))))
        .name,
    ).toBe("TooManyEntriesInBatchRequestException");
    const twice = [
      { Id: "same", Message: "x" },
      { Id: "same", Message: "y" },
    ];
    expect(
      (await snsError(sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: twice }))))
        .name,
    ).toBe("BatchEntryIdsNotDistinctException");
  });

  it("gives each protocol its message of a json structure, and refuses bad publishes with SNS's errors", async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName("structured") }))).TopicArn as string;
    const q = await newQueue("structured");
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: q.arn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    const cli = await aws(
      "sns",
      "publish",
      "--topic-arn",
      topicArn,
      "--message-structure",
      "json",
      "--message",
      JSON.stringify({ default: "for everyone", sqs: "for queues" }),
    );
    expect(cli.code, cli.stderr).toBe(0);
    expect((await receive(q.url, 1))[0]?.Body).toBe("for queues");

    const noDefault = await snsError(
      sns.send(
        new PublishCommand({ TopicArn: topicArn, MessageStructure: "json", Message: JSON.stringify({ sqs: "x" }) }),
      ),
    );
    expect(noDefault.message).toMatch(/No default entry/);
    const missing = await snsError(
      sns.send(
        new PublishCommand({
          TopicArn: `arn:aws:sns:${stack.region}:${stack.credentials.accountId}:nope`,
          Message: "x",
        }),
      ),
    );
    expect(missing.name).toBe("NotFoundException");
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const tooBig = await snsError(sns.send(new PublishCommand({ TopicArn: topicArn, Message: "x".repeat(262_145) })));
    expect(tooBig.message).toMatch(/Message too long/);
    const noFunction = await snsError(
      sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "lambda", Endpoint: fnArn("no-such-function") })),
    );
    expect(noFunction.message).toMatch(/does not exist/);
    const rawLambda = await snsError(
      sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: "lambda",
          Endpoint: fnArn(fnName),
          Attributes: { RawMessageDelivery: "true" },
        }),
      ),
    );
    expect(rawLambda.message).toMatch(/does not support raw message delivery/);
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(subs.Subscriptions).toHaveLength(1);
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 1 }));
    expect(none.Messages ?? []).toEqual([]);
  });
});

describe("other services publishing to a topic", () => {
  it("takes an EventBridge rule's matched events and an alarm's state changes, as each service sends them", async () => {
    const client = {
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
    };
    const events = new EventBridgeClient(client);
    const cloudwatch = new CloudWatchClient(client);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName("ops") }))).TopicArn as string;
    const q = await newQueue("ops");
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: q.arn }));

    const rule = uniqueName("to-topic");
    await events.send(new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify({ source: ["shop"] }) }));
    const missing = await events.send(
      new PutTargetsCommand({
        Rule: rule,
        Targets: [{ Id: "gone", Arn: `arn:aws:sns:${stack.region}:${stack.credentials.accountId}:no-such-topic` }],
      }),
    );
    expect(missing.FailedEntries?.[0]?.ErrorMessage).toMatch(/The topic .* does not exist/);
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: "topic", Arn: topicArn }] }));
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "order", Detail: JSON.stringify({ id: 7 }) }] }),
    );
    const [fromRule] = await receive(q.url, 1);
    const wrapped = JSON.parse(fromRule?.Body as string) as { TopicArn: string; Message: string };
    expect(wrapped.TopicArn).toBe(topicArn);
    expect(JSON.parse(wrapped.Message)).toMatchObject({ source: "shop", "detail-type": "order", detail: { id: 7 } });

    const alarm = uniqueName("pager");
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm,
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: fnName }],
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        AlarmActions: [topicArn],
      }),
    );
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: "ALARM", StateReason: "drill" }));
    const [fromAlarm] = await receive(q.url, 1);
    const note = JSON.parse(fromAlarm?.Body as string) as { Subject: string; Message: string };
    expect(note.Subject).toBe(`ALARM: "${alarm}" in US East (N. Virginia)`);
    expect(JSON.parse(note.Message)).toMatchObject({
      AlarmName: alarm,
      NewStateValue: "ALARM",
      NewStateReason: "drill",
      AWSAccountId: stack.credentials.accountId,
      Trigger: { MetricName: "Errors", Namespace: "AWS/Lambda", Statistic: "SUM", Threshold: 1 },
    });
    events.destroy();
    cloudwatch.destroy();
  });
});

describe("an IAM user", () => {
  it("publishes to the topic its policy names and is refused another with SNS's AuthorizationError", async () => {
    const client = {
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
    };
    const iam = new IAMClient(client);
    const allowed = (await sns.send(new CreateTopicCommand({ Name: uniqueName("allowed") }))).TopicArn as string;
    const other = (await sns.send(new CreateTopicCommand({ Name: uniqueName("other") }))).TopicArn as string;
    const UserName = uniqueName("publisher");
    await iam.send(new CreateUserCommand({ UserName }));
    const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: allowed }] };
    await iam.send(new PutUserPolicyCommand({ UserName, PolicyName: "publish", PolicyDocument: JSON.stringify(doc) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey;
    const asUser = new SNSClient({
      ...client,
      credentials: { accessKeyId: key?.AccessKeyId as string, secretAccessKey: key?.SecretAccessKey as string },
    });
    try {
      const sent = await waitFor(() =>
        asUser.send(new PublishCommand({ TopicArn: allowed, Message: "ok" })).catch(() => undefined),
      );
      expect(sent.MessageId).toBeDefined();
      const refused = await snsError(asUser.send(new PublishCommand({ TopicArn: other, Message: "no" })));
      expect(refused.name).toBe("AuthorizationErrorException");
      expect(refused.$metadata.httpStatusCode).toBe(403);
      expect(refused.message).toMatch(/not authorized to perform: sns:Publish/);
    } finally {
      asUser.destroy();
      iam.destroy();
    }
  });
});

describe("the rest of the API, each way", () => {
  it("the SDK pages topics and subscriptions, edits a topic's attributes and tags, and deletes it with its subscriptions", async () => {
    const prefix = uniqueName("page");
    const arns: string[] = [];
    for (let i = 0; i < 101; i++) {
      arns.push(
        (await sns.send(new CreateTopicCommand({ Name: `${prefix}-${String(i).padStart(3, "0")}` })))
          .TopicArn as string,
      );
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await sns.send(new ListTopicsCommand({ NextToken: token }));
      seen.push(...(page.Topics ?? []).map((t) => t.TopicArn as string));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(seen.filter((a) => a.includes(prefix))).toEqual(arns);

    const topicArn = arns[0] as string;
    await sns.send(
      new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: "DisplayName", AttributeValue: "Paged" }),
    );
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn },
      ],
    });
    await sns.send(
      new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: "Policy", AttributeValue: policy }),
    );
    const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes;
    expect(attrs).toMatchObject({ DisplayName: "Paged", Policy: policy, TopicArn: topicArn });
    const notJson = await snsError(
      sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: "Policy", AttributeValue: "{nope" })),
    );
    expect(notJson.name).toBe("InvalidParameterException");
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.Policy).toBe(policy);

    await sns.send(
      new TagResourceCommand({
        ResourceArn: topicArn,
        Tags: [
          { Key: "a", Value: "1" },
          { Key: "b", Value: "2" },
        ],
      }),
    );
    await sns.send(new UntagResourceCommand({ ResourceArn: topicArn, TagKeys: ["a"] }));
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }))).Tags).toEqual([
      { Key: "b", Value: "2" },
    ]);
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect((await snsError(sns.send(new TagResourceCommand({ ResourceArn: topicArn, Tags: tooMany })))).name).toBe(
      "TagLimitExceededException",
    );
    const noTopic = `arn:aws:sns:${stack.region}:${stack.credentials.accountId}:${prefix}-none`;
    expect((await snsError(sns.send(new ListTagsForResourceCommand({ ResourceArn: noTopic })))).name).toBe(
      "ResourceNotFoundException",
    );

    const q = await newQueue("paged");
    const sub = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: q.arn }));
    const all = await sns.send(new ListSubscriptionsCommand({}));
    expect(all.Subscriptions?.map((x) => x.SubscriptionArn)).toContain(sub.SubscriptionArn);
    // Lambda and SQS subscriptions are confirmed when made: there is nothing to confirm.
    const confirm = await snsError(sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: "abc" })));
    expect(confirm.message).toMatch(/no subscription is waiting for confirmation/);

    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    const gone = await snsError(
      sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn })),
    );
    expect(gone.name).toBe("NotFoundException");
    for (const arn of arns.slice(1)) await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
  });

  it("the AWS CLI lists, reads, edits and removes subscriptions, and refuses what it cannot confirm", async () => {
    const topicArn = JSON.parse((await aws("sns", "create-topic", "--name", uniqueName("cli-subs"))).stdout)
      .TopicArn as string;
    const q = await newQueue("cli-subs");
    const made = await aws(
      "sns",
      "subscribe",
      "--topic-arn",
      topicArn,
      "--protocol",
      "sqs",
      "--notification-endpoint",
      q.arn,
    );
    expect(made.code, made.stderr).toBe(0);
    const subArn = JSON.parse(made.stdout).SubscriptionArn as string;
    expect(subArn.startsWith(`${topicArn}:`)).toBe(true);

    const byTopic = JSON.parse((await aws("sns", "list-subscriptions-by-topic", "--topic-arn", topicArn)).stdout);
    expect(byTopic.Subscriptions).toEqual([
      {
        SubscriptionArn: subArn,
        Owner: stack.credentials.accountId,
        Protocol: "sqs",
        Endpoint: q.arn,
        TopicArn: topicArn,
      },
    ]);
    const listed = JSON.parse((await aws("sns", "list-subscriptions")).stdout);
    expect(listed.Subscriptions.map((x: { SubscriptionArn: string }) => x.SubscriptionArn)).toContain(subArn);

    const set = await aws(
      "sns",
      "set-subscription-attributes",
      "--subscription-arn",
      subArn,
      "--attribute-name",
      "FilterPolicy",
      "--attribute-value",
      JSON.stringify({ kind: ["a"] }),
    );
    expect(set.code, set.stderr).toBe(0);
    const attrs = JSON.parse((await aws("sns", "get-subscription-attributes", "--subscription-arn", subArn)).stdout);
    expect(attrs.Attributes).toMatchObject({
      SubscriptionArn: subArn,
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: q.arn,
      PendingConfirmation: "false",
      FilterPolicy: JSON.stringify({ kind: ["a"] }),
      FilterPolicyScope: "MessageAttributes",
    });
    const role = await aws(
      "sns",
      "set-subscription-attributes",
      "--subscription-arn",
      subArn,
      "--attribute-name",
      "DeliveryPolicy",
      "--attribute-value",
      "{}",
    );
    expect(role.stderr).toMatch(/The subscription attribute DeliveryPolicy is not supported by Stratus/);
    const confirm = await aws("sns", "confirm-subscription", "--topic-arn", topicArn, "--token", "abc");
    expect(confirm.stderr).toMatch(/InvalidParameter/);

    expect((await aws("sns", "unsubscribe", "--subscription-arn", subArn)).code).toBe(0);
    const after = JSON.parse((await aws("sns", "list-subscriptions-by-topic", "--topic-arn", topicArn)).stdout);
    expect(after.Subscriptions).toEqual([]);
    const missing = await aws("sns", "get-subscription-attributes", "--subscription-arn", subArn);
    expect(missing.stderr).toMatch(/NotFound/);
  });
});

describe("another account", () => {
  it("finds none of this account's topics or subscriptions, and cannot subscribe its own queue or function to them", async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName("private") }))).TopicArn as string;
    const q = await newQueue("private");
    const sub = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: q.arn }));
    const other = await stack.newAccount(uniqueName("intruder"));
    const intruder = new SNSClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey },
    });
    const theirQueue = `arn:aws:sqs:${stack.region}:${other.accountId}:theirs`;
    try {
      const calls = [
        () => intruder.send(new PublishCommand({ TopicArn: topicArn, Message: "x" })),
        () => intruder.send(new GetTopicAttributesCommand({ TopicArn: topicArn })),
        () => intruder.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: theirQueue })),
        () => intruder.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn })),
        () => intruder.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn })),
        () => intruder.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn })),
      ];
      for (const call of calls) expect((await snsError(call())).name).toBe("NotFoundException");
      expect((await snsError(intruder.send(new ListTagsForResourceCommand({ ResourceArn: topicArn })))).name).toBe(
        "ResourceNotFoundException",
      );
      // Deleting it is a no-op, as deleting a topic that does not exist is.
      await intruder.send(new DeleteTopicCommand({ TopicArn: topicArn }));
      expect((await intruder.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
      expect((await intruder.send(new ListSubscriptionsCommand({}))).Subscriptions ?? []).toEqual([]);
      // Nothing of it changed.
      const still = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
      expect(still.Subscriptions?.map((s) => s.SubscriptionArn)).toEqual([sub.SubscriptionArn]);
    } finally {
      intruder.destroy();
    }
  });
});

describe("FIFO topics", () => {
  async function newFifoQueue(prefix: string): Promise<{ url: string; arn: string }> {
    const name = `${uniqueName(prefix)}.fifo`;
    const made = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: "true" } }));
    return { url: made.QueueUrl as string, arn: queueArn(name) };
  }

  /** The next `count` messages of the FIFO queue, each deleted once received (so its group's next one shows). */
  async function drain(url: string, count: number): Promise<Message[]> {
    const got: Message[] = [];
    await waitFor(
      async () => {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            AttributeNames: ["All"],
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        );
        for (const m of out.Messages ?? []) {
          got.push(m);
          await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
        }
        return got.length >= count ? got : undefined;
      },
      20_000,
      { what: `${count} messages in ${url}` },
    );
    return got;
  }

  const json = <T>(r: { code: number; stdout: string; stderr: string }): T => {
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  it("with the AWS CLI: keeps each group's order into a FIFO queue, numbers messages and answers a duplicate with the first", async () => {
    const name = `${uniqueName("ledger")}.fifo`;
    const { TopicArn: arn } = json<{ TopicArn: string }>(
      await aws(
        "sns",
        "create-topic",
        "--name",
        name,
        "--attributes",
        "FifoTopic=true,ContentBasedDeduplication=false",
      ),
    );
    const attrs = json<{ Attributes: Record<string, string> }>(
      await aws("sns", "get-topic-attributes", "--topic-arn", arn),
    );
    expect(attrs.Attributes).toMatchObject({
      FifoTopic: "true",
      ContentBasedDeduplication: "false",
      FifoThroughputScope: "Topic",
    });
    const q = await newFifoQueue("ledger");
    json(await aws("sns", "subscribe", "--topic-arn", arn, "--protocol", "sqs", "--notification-endpoint", q.arn));

    const sent: { group: string; text: string; dedup: string; id: string; seq: string }[] = [];
    for (const [group, text] of [
      ["a", "a1"],
      ["b", "b1"],
      ["a", "a2"],
      ["b", "b2"],
      ["a", "a3"],
    ] as const) {
      const dedup = `d-${text}`;
      const out = json<{ MessageId: string; SequenceNumber: string }>(
        await aws(
          "sns",
          "publish",
          "--topic-arn",
          arn,
          "--message",
          text,
          "--message-group-id",
          group,
          "--message-deduplication-id",
          dedup,
        ),
      );
      sent.push({ group, text, dedup, id: out.MessageId, seq: out.SequenceNumber });
    }
    // Sequence numbers rise, as 20-digit strings.
    for (let i = 1; i < sent.length; i++)
      expect(BigInt(sent[i]?.seq as string) > BigInt(sent[i - 1]?.seq as string)).toBe(true);
    expect(sent[0]?.seq).toMatch(/^\d{20}$/);

    // The same deduplication id within 5 minutes: the first message's answer, nothing delivered.
    const again = json<{ MessageId: string; SequenceNumber: string }>(
      await aws(
        "sns",
        "publish",
        "--topic-arn",
        arn,
        "--message",
        "a1 again",
        "--message-group-id",
        "a",
        "--message-deduplication-id",
        "d-a1",
      ),
    );
    expect(again).toEqual({ MessageId: sent[0]?.id, SequenceNumber: sent[0]?.seq });

    const got = await drain(q.url, 5);
    const notes = got.map((m) => ({
      ...(JSON.parse(m.Body as string) as { MessageId: string; SequenceNumber: string; Message: string }),
      group: m.Attributes?.MessageGroupId,
      dedup: m.Attributes?.MessageDeduplicationId,
    }));
    expect(notes.filter((n) => n.group === "a").map((n) => n.Message)).toEqual(["a1", "a2", "a3"]);
    expect(notes.filter((n) => n.group === "b").map((n) => n.Message)).toEqual(["b1", "b2"]);
    for (const s of sent) {
      expect(notes.find((n) => n.Message === s.text)).toMatchObject({
        MessageId: s.id,
        SequenceNumber: s.seq,
        group: s.group,
        dedup: s.dedup,
      });
    }
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 1 }));
    expect(after.Messages ?? []).toEqual([]);

    // Content-based deduplication, switched on: the SHA-256 of the message is its id.
    const cbd = await aws(
      "sns",
      "set-topic-attributes",
      "--topic-arn",
      arn,
      "--attribute-name",
      "ContentBasedDeduplication",
      "--attribute-value",
      "true",
    );
    expect(cbd.code, cbd.stderr).toBe(0);
    const read = json<{ Attributes: Record<string, string> }>(
      await aws("sns", "get-topic-attributes", "--topic-arn", arn),
    );
    expect(read.Attributes.ContentBasedDeduplication).toBe("true");
    const first = json<{ MessageId: string }>(
      await aws("sns", "publish", "--topic-arn", arn, "--message", "same", "--message-group-id", "c"),
    );
    const second = json<{ MessageId: string }>(
      await aws("sns", "publish", "--topic-arn", arn, "--message", "same", "--message-group-id", "c"),
    );
    expect(second.MessageId).toBe(first.MessageId);
    const [one] = await drain(q.url, 1);
    expect(JSON.parse(one?.Body as string)).toMatchObject({ MessageId: first.MessageId, Message: "same" });
    expect(one?.Attributes?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 1 }));
    expect(none.Messages ?? []).toEqual([]);
  });

  it("with the SDK: publishes batches entry by entry, delivers raw to a FIFO queue and to a standard queue", async () => {
    const arn = (
      await sns.send(
        new CreateTopicCommand({
          Name: `${uniqueName("batch")}.fifo`,
          Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" },
        }),
      )
    ).TopicArn as string;
    const fifo = await newFifoQueue("raw");
    const standard = await newQueue("plain");
    await sns.send(
      new SubscribeCommand({
        TopicArn: arn,
        Protocol: "sqs",
        Endpoint: fifo.arn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: standard.arn }));

    const out = await sns.send(
      new PublishBatchCommand({
        TopicArn: arn,
        PublishBatchRequestEntries: [
          { Id: "one", Message: "x1", MessageGroupId: "x" },
          { Id: "nogroup", Message: "lost" },
          {
            Id: "two",
            Message: "x2",
            MessageGroupId: "x",
            MessageAttributes: { kind: { DataType: "String", StringValue: "k" } },
          },
          { Id: "dup", Message: "x1", MessageGroupId: "x" },
        ],
      }),
    );
    expect(out.Failed).toEqual([
      {
        Id: "nogroup",
        Code: "InvalidParameter",
        Message: "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        SenderFault: true,
      },
    ]);
    const byId = Object.fromEntries((out.Successful ?? []).map((e) => [e.Id, e]));
    expect(Object.keys(byId).sort()).toEqual(["dup", "one", "two"]);
    expect(byId.dup?.MessageId).toBe(byId.one?.MessageId);
    expect(BigInt(byId.two?.SequenceNumber as string) > BigInt(byId.one?.SequenceNumber as string)).toBe(true);

    const raw = await drain(fifo.url, 2);
    expect(raw.map((m) => m.Body)).toEqual(["x1", "x2"]);
    expect(raw.map((m) => m.Attributes?.MessageGroupId)).toEqual(["x", "x"]);
    expect(raw[1]?.MessageAttributes?.kind?.StringValue).toBe("k");
    const plain = await receive(standard.url, 2);
    const messages = plain.map((m) => JSON.parse(m.Body as string) as { Message: string; SequenceNumber: string });
    expect(messages.map((m) => m.Message).sort()).toEqual(["x1", "x2"]);
    expect(messages.find((m) => m.Message === "x2")?.SequenceNumber).toBe(byId.two?.SequenceNumber);
  });

  it("refuses what SNS refuses of FIFO topics, and what Stratus does not serve by name", async () => {
    const fifoArn = (
      await sns.send(
        new CreateTopicCommand({ Name: `${uniqueName("strict")}.fifo`, Attributes: { FifoTopic: "true" } }),
      )
    ).TopicArn as string;
    const standardArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName("std") }))).TopicArn as string;
    const q = await newFifoQueue("strict");

    const lambda = await snsError(
      sns.send(new SubscribeCommand({ TopicArn: fifoArn, Protocol: "lambda", Endpoint: fnArn(fnName) })),
    );
    expect(lambda.name).toBe("InvalidParameterException");
    expect(lambda.message).toMatch(/Invalid protocol type: lambda/);
    const fifoToStandard = await snsError(
      sns.send(new SubscribeCommand({ TopicArn: standardArn, Protocol: "sqs", Endpoint: q.arn })),
    );
    expect(fifoToStandard.message).toBe(
      "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
    );
    const redrive = await snsError(
      sns.send(
        new SubscribeCommand({
          TopicArn: fifoArn,
          Protocol: "sqs",
          Endpoint: q.arn,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: q.arn }) },
        }),
      ),
    );
    expect(redrive.message).toMatch(/RedrivePolicy on a FIFO topic's subscription is not supported by Stratus/);
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: fifoArn }));
    expect(subs.Subscriptions ?? []).toEqual([]);

    const noGroup = await snsError(sns.send(new PublishCommand({ TopicArn: fifoArn, Message: "m" })));
    expect(noGroup.message).toBe("Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    const noDedup = await snsError(
      sns.send(new PublishCommand({ TopicArn: fifoArn, Message: "m", MessageGroupId: "g" })),
    );
    expect(noDedup.message).toMatch(/ContentBasedDeduplication enabled or MessageDeduplicationId provided/);
    const groupOnStandard = await snsError(
      sns.send(new PublishCommand({ TopicArn: standardArn, Message: "m", MessageGroupId: "g" })),
    );
    expect(groupOnStandard.message).toMatch(/MessageGroupId on a standard topic .* is not supported by Stratus/);
    const scope = await snsError(
      sns.send(
        new SetTopicAttributesCommand({
          TopicArn: fifoArn,
          AttributeName: "FifoThroughputScope",
          AttributeValue: "MessageGroup",
        }),
      ),
    );
    expect(scope.message).toMatch(/FifoThroughputScope MessageGroup is not supported by Stratus/);
    const notFifo = await snsError(
      sns.send(new CreateTopicCommand({ Name: uniqueName("plain"), Attributes: { FifoTopic: "true" } })),
    );
    expect(notFifo.message).toMatch(/Fifo Topic names must end with .fifo/);

    // Other services publish without a MessageGroupId: a FIFO topic is refused as their target.
    const events = new EventBridgeClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
    });
    const rule = uniqueName("to-fifo");
    await events.send(new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify({ source: ["shop"] }) }));
    const target = await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: "t", Arn: fifoArn }] }));
    expect(target.FailedEntries?.[0]?.ErrorMessage).toMatch(
      /is a FIFO topic: Stratus publishes these messages without a MessageGroupId/,
    );
    events.destroy();
  });
});
