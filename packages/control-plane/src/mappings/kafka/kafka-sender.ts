// Sends what the Kafka poller took to the function, partitions side by side and each
// partition's records strictly in order: records FilterCriteria rejects are settled
// and dropped; the rest are cut into invocations (the batch size, the payload limit,
// and half after a bisect) and invoked synchronously one after another. A function
// error is decided by kafka-retry.ts: retried (the partition's records go back to the
// poller and wait out the runner's backoff), split (the halves tried at once), or given up: written to the
// OnFailure topic, then settled, and the partition moves on. A throttle or platform
// error sends the partition's records back uncounted. A send runs as the poller's work
// (a rebalance waits for it), and a partition's records revoked meanwhile are not
// invoked: the send stops before the next invocation.
import { limits } from "@stratus/shared";
import type { InvokeResult } from "../../services/invoke-service.js";
import { readBatchResponse } from "../batch-response.js";
import type { SendOutcome } from "../batch-sender.js";
import { chunk } from "../batching.js";
import {
  createRecordFilter,
  type FunctionFailure,
  failureOf,
  type InvokeTarget,
  invokeWith,
  isPlatformError,
  type SyncInvoker,
} from "../invoke-batch.js";
import { readKafkaItemId } from "./kafka-event.js";
import type { KafkaPoller, KafkaRecord } from "./kafka-poller.js";
import { afterBatchFailure, type RetryPolicy } from "./kafka-retry.js";

export interface KafkaTarget extends InvokeTarget {
  functionArn: string;
  filters?: Array<{ Pattern: string }>;
  policy: RetryPolicy;
  /** The OnFailure topic (kafka://<topic>), if any. */
  failureTopic?: string;
  /** FunctionResponseTypes has ReportBatchItemFailures. */
  reportItemFailures?: boolean;
}

const text = (v: string | number) => Buffer.from(String(v));

export function createKafkaSender(
  invoke: SyncInvoker,
  target: KafkaTarget,
  now = Date.now,
  maxBytes = limits.syncPayloadBytes,
) {
  const filter = createRecordFilter(target.filters);
  /** Counted failures by record identity. */
  const attempts = new Map<string, number>();
  /** Largest invocation per partition after a bisect, until one succeeds. */
  const caps = new Map<string, number>();

  async function giveUp(
    poller: KafkaPoller,
    batch: KafkaRecord[],
    condition: string,
    count: number,
    failure: FunctionFailure,
  ): Promise<void> {
    if (target.failureTopic) {
      await poller.deadLetter(
        target.failureTopic,
        batch.map((r) => ({
          key: r.message.key,
          value: r.message.value,
          headers: [
            ...r.message.headers,
            ["stratus-failure-condition", text(condition)],
            ["stratus-failure-function-arn", text(target.functionArn)],
            ["stratus-failure-error-type", text(failure.errorType)],
            ["stratus-failure-error-message", text(failure.errorMessage)],
            ["stratus-failure-invoke-count", text(count)],
            ["stratus-source-topic", text(r.message.topic)],
            ["stratus-source-partition", text(r.message.partition)],
            ["stratus-source-offset", text(r.message.offset)],
            ["stratus-source-timestamp", text(r.message.timestamp)],
          ],
        })),
      );
    }
    for (const r of batch) attempts.delete(r.identity);
    await poller.reject(batch);
  }

  /** One partition's records, in order; its problem, if it stopped early. */
  async function sendPartition(poller: KafkaPoller, key: string, records: KafkaRecord[]) {
    let left = records;
    let sent = 0;
    while (left.length > 0) {
      // Revoked by a rebalance: dropped uncommitted, the partition's next owner fetches them again.
      if (!poller.current(left)) return { sent };
      const cap = caps.get(key) ?? left.length;
      const [first = []] = chunk(
        left.slice(0, cap).map((r) => ({ size: r.size, suspect: false })),
        maxBytes,
        poller.eventOverhead,
      );
      let batch = first.map((i) => left[i] as KafkaRecord);
      const rest = left.slice(batch.length);
      let result: InvokeResult;
      try {
        result = await invokeWith(invoke, target, poller.event(batch));
      } catch (err) {
        await poller.retry(left);
        return { sent, problem: (err as Error).message.slice(0, 300), platform: isPlatformError(err) };
      }
      const reply = result.functionError
        ? ({ kind: "all-failed" } as const)
        : target.reportItemFailures
          ? readBatchResponse(result.payload, new Set(batch.map((r) => r.itemId ?? "")), readKafkaItemId)
          : ({ kind: "all-ok" } as const);
      if (reply.kind === "all-ok") {
        await poller.ack(batch);
        for (const r of batch) attempts.delete(r.identity);
        caps.delete(key);
        sent += batch.length;
        left = rest;
        continue;
      }
      // A partial batch response: done up to the first record it names; the rest is the failed batch.
      const from = reply.kind === "some-failed" ? batch.findIndex((r) => reply.failed.has(r.itemId ?? "")) : 0;
      if (from > 0) {
        const done = batch.slice(0, from);
        await poller.ack(done);
        for (const r of done) attempts.delete(r.identity);
        sent += done.length;
        left = left.slice(from);
        batch = batch.slice(from);
      }
      const failure = result.functionError
        ? (failureOf(result) ?? { errorType: "Error", errorMessage: "" })
        : reply.kind === "some-failed"
          ? { errorType: "BatchItemFailure", errorMessage: "The function reported a failed record." }
          : {
              errorType: "InvalidPartialBatchResponse",
              errorMessage: "The function returned an invalid partial batch response.",
            };
      const verdict = afterBatchFailure(
        {
          size: batch.length,
          attempts: Math.max(...batch.map((r) => attempts.get(r.identity) ?? 0)),
          oldest: Math.min(...batch.map((r) => r.message.timestamp)),
        },
        target.policy,
        now(),
      );
      if (verdict.kind === "give-up") {
        try {
          await giveUp(poller, batch, verdict.condition, verdict.attempts, failure);
        } catch (err) {
          await poller.retry(left);
          return {
            sent,
            problem: `Could not write to the OnFailure destination kafka://${target.failureTopic}: ${(err as Error).message.slice(0, 200)}`,
            platform: true,
          };
        }
        left = rest;
        continue;
      }
      if (verdict.kind === "bisect") {
        // Split at once: the halves are tried now, uncounted.
        caps.set(key, verdict.cap);
        continue;
      }
      for (const r of batch) attempts.set(r.identity, verdict.attempts);
      await poller.retry(left);
      return {
        sent,
        problem: `Function call failed: ${failure.errorType}: ${failure.errorMessage}`,
        platform: false,
      };
    }
    return { sent };
  }

  return {
    send: (poller: KafkaPoller, records: KafkaRecord[]): Promise<SendOutcome> =>
      poller.working(async () => {
        const kept = await filter(poller, records);
        const byPartition = new Map<string, KafkaRecord[]>();
        for (const r of kept) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
        const results = await Promise.all([...byPartition].map(([key, list]) => sendPartition(poller, key, list)));
        const failed = results.find((r) => r.problem !== undefined);
        if (failed?.problem !== undefined)
          return { ok: false, problem: failed.problem, platform: failed.platform ?? false };
        return { ok: true, sent: results.reduce((n, r) => n + r.sent, 0) };
      }),
  };
}
