// The SQS source: long-polls the mapping's queue (ReceiveMessage, up to 10 at a time,
// WaitTimeSeconds up to 20) and deletes the messages the function processed, in
// batches of 10. As Lambda does, nothing else is settled: a failed message stays
// invisible until the queue's visibility timeout, comes back with its receive count
// raised, and the queue's redrive policy moves it to its dead-letter queue in the end.
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { SecretsReader } from "../../secrets/secrets-reader.js";
import type { SourcePoller, SourceRecord } from "../source-poller.js";
import type { SqsArn, SqsEndpoint } from "./sqs-endpoints.js";
import { type SqsEventRecord, sqsEvent, sqsFilterView, sqsRecord } from "./sqs-event.js";
import { openSqsQueue, type SqsQueue, sqsProblem } from "./sqs-queue.js";

export interface SqsSource {
  eventSourceArn: string;
  arn: SqsArn;
  /** The endpoint as configured now (throws SourceProblem when none serves the ARN any more). */
  endpoint: () => SqsEndpoint;
}

export interface SqsRecord extends SourceRecord {
  record: SqsEventRecord;
}

/** SQS's limits on one ReceiveMessage. */
const MAX_RECEIVE = 10;
const MAX_WAIT_SECONDS = 20;

export function createSqsPoller(s: SqsSource, secrets: SecretsReader | undefined): SourcePoller<SqsRecord> {
  let queue: SqsQueue | undefined;
  let endpoint: SqsEndpoint | undefined;
  const overhead = Buffer.byteLength(JSON.stringify(sqsEvent([])));

  return {
    eventOverhead: overhead,
    async connect() {
      endpoint = s.endpoint();
      queue = await openSqsQueue(s.eventSourceArn, s.arn, endpoint, secrets);
    },
    async take(max, waitMs, signal) {
      if (!queue || !endpoint || signal.aborted) return [];
      // Whole seconds only: rounding up overshoots a batching window by under a second, where
      // rounding down would spin short polls until it ends.
      const wait = Number.isFinite(waitMs) ? Math.min(MAX_WAIT_SECONDS, Math.ceil(waitMs / 1000)) : MAX_WAIT_SECONDS;
      let messages: Message[];
      try {
        ({ Messages: messages = [] } = await queue.client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: Math.max(1, Math.min(MAX_RECEIVE, max)),
            WaitTimeSeconds: wait,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: signal },
        ));
      } catch (err) {
        // Stopping: what a receive in flight got comes back after the visibility timeout.
        if (signal.aborted) return [];
        throw sqsProblem(err, s.eventSourceArn, endpoint);
      }
      return messages.map((m) => {
        const record = sqsRecord(m, s.eventSourceArn, s.arn.region);
        return {
          record,
          identity: record.messageId,
          itemId: record.messageId,
          size: Buffer.byteLength(JSON.stringify(record)) + 1,
          filterView: sqsFilterView(record),
        };
      });
    },
    event: (records) => sqsEvent(records.map((r) => r.record)),
    async ack(records) {
      if (!queue || !endpoint) return;
      for (let i = 0; i < records.length; i += MAX_RECEIVE) {
        const batch = records.slice(i, i + MAX_RECEIVE);
        try {
          // A message whose handle expired meanwhile is not deleted: it comes again (at-least-once).
          await queue.client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queue.url,
              Entries: batch.map((r, n) => ({ Id: String(n), ReceiptHandle: r.record.receiptHandle })),
            }),
          );
        } catch (err) {
          throw sqsProblem(err, s.eventSourceArn, endpoint);
        }
      }
    },
    // Left invisible: they come back after the queue's visibility timeout, as in Lambda.
    async retry() {},
    // SQS has no reject: the queue's redrive policy dead-letters a message received too often.
    async reject() {},
    broken: () => undefined,
    async close() {
      queue?.client.destroy();
      queue = undefined;
    },
  };
}
