// SNS fan-out latency: from a Publish sent to a topic to the start of its Lambda
// subscription's invocation (the async attempt's first start, recorded in Postgres),
// beside the same function's Invoke with InvocationType Event sent to its start, in the
// same run; and from a Publish to the message being received from an SQS subscription
// by a waiting long poll, beside a SendMessage to the same queue. One call at a time,
// the two sides interleaved, each waiting for its delivery before the next.
import { randomUUID } from "node:crypto";
import { AddPermissionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { until } from "../helpers/poll.js";
import type { Stack } from "../helpers/stack.js";
import { deployBenchFunction } from "./spec.js";
import { type Summary, summarize } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_SNS_ROUNDS ?? 40);

export interface SnsBenchResult {
  /** Publish sent to the subscribed function's start. */
  publishToStart: Summary;
  /** Invoke (Event) sent to the same function's start. */
  invokeToStart: Summary;
  /** Publish sent to the queue subscription's message received. */
  publishToQueue: Summary;
  /** SendMessage sent to the same queue's message received. */
  sendToQueue: Summary;
}

export async function measureSns(stack: Stack): Promise<SnsBenchResult> {
  const client = { endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials };
  const sns = new SNSClient(client);
  const sqs = new SQSClient(client);
  const tag = randomUUID().slice(0, 8);
  const name = `bench-sns-${tag}`;
  await deployBenchFunction(stack.lambda, name, stack.credentials.accountId, stack.region);
  const fnArn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`;
  try {
    const toFn = (await sns.send(new CreateTopicCommand({ Name: `bench-fn-${tag}` }))).TopicArn as string;
    await stack.lambda.send(
      new AddPermissionCommand({
        FunctionName: name,
        StatementId: "sns",
        Action: "lambda:InvokeFunction",
        Principal: "sns.amazonaws.com",
        SourceArn: toFn,
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: toFn, Protocol: "lambda", Endpoint: fnArn }));
    const queueName = `bench-sns-${tag}`;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl as string;
    const toQueue = (await sns.send(new CreateTopicCommand({ Name: `bench-q-${tag}` }))).TopicArn as string;
    await sns.send(
      new SubscribeCommand({
        TopicArn: toQueue,
        Protocol: "sqs",
        Endpoint: `arn:aws:sqs:${stack.region}:${stack.credentials.accountId}:${queueName}`,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );

    /** The time (ms) the invocation whose label is `label` first started, once it has. */
    const startedAt = async (label: string): Promise<number> => {
      const query = `SELECT first_started_at FROM async_invocations WHERE function_name = $1
         AND first_started_at IS NOT NULL AND position($2 in convert_from(payload, 'UTF8')) > 0`;
      let at = 0;
      await until(
        `${label} started`,
        async () => {
          const rows = (await stack.db.query<{ first_started_at: Date }>(query, [name, label])).rows;
          at = rows[0]?.first_started_at.getTime() ?? 0;
          return at > 0;
        },
        30_000,
        5,
      );
      return at;
    };
    /** Sends with `send` while a long poll waits on the queue; ms from the send to the receive. */
    const throughQueue = async (send: () => Promise<unknown>): Promise<number> => {
      const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10 }));
      await new Promise((r) => setTimeout(r, 50));
      const t0 = performance.now();
      await send();
      const got = await poll;
      const t1 = performance.now();
      const m = got.Messages?.[0];
      if (!m) throw new Error("the queue's long poll got nothing");
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      return t1 - t0;
    };

    // A warm container first, so no row pays a cold start.
    await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
    const publishToStart: number[] = [];
    const invokeToStart: number[] = [];
    const publishToQueue: number[] = [];
    const sendToQueue: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const published = `sns-${tag}-${i}`;
      const t0 = Date.now();
      await sns.send(new PublishCommand({ TopicArn: toFn, Message: JSON.stringify({ label: published }) }));
      publishToStart.push((await startedAt(published)) - t0);

      const invoked = `invoke-${tag}-${i}`;
      const t1 = Date.now();
      await stack.lambda.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: "Event",
          Payload: Buffer.from(JSON.stringify({ label: invoked })),
        }),
      );
      invokeToStart.push((await startedAt(invoked)) - t1);

      publishToQueue.push(
        await throughQueue(() => sns.send(new PublishCommand({ TopicArn: toQueue, Message: `q-${i}` }))),
      );
      sendToQueue.push(
        await throughQueue(() => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `s-${i}` }))),
      );
    }
    return {
      publishToStart: summarize(publishToStart),
      invokeToStart: summarize(invokeToStart),
      publishToQueue: summarize(publishToQueue),
      sendToQueue: summarize(sendToQueue),
    };
  } finally {
    sns.destroy();
    sqs.destroy();
  }
}
