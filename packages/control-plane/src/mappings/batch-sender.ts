// Sends what a poller took to the function, as Lambda does for queue sources: records
// FilterCriteria rejects are acked and dropped; the rest are cut into invocations
// under the sync payload limit and invoked synchronously in order. A success acks its
// records; with ReportBatchItemFailures the function's response may name the records
// that failed (batch-response.ts), and only those go the failure path. A function
// error sends them all: requeued (a record failing alone, or named by the function,
// counts against MaximumRetryAttempts, then is rejected to the dead-letter path); a
// throttle or platform error requeues everything not yet done, uncounted.
import { limits } from "@stratus/shared";
import type { InvokeResult } from "../services/invoke-service.js";
import { readBatchResponse } from "./batch-response.js";
import { afterFailure, chunk } from "./batching.js";
import {
  createRecordFilter,
  failureOf,
  type InvokeTarget,
  invokeWith,
  isPlatformError,
  type SyncInvoker,
} from "./invoke-batch.js";
import type { SourcePoller, SourceRecord } from "./source-poller.js";

export interface SendTarget extends InvokeTarget {
  /** Failures a record may have before it is rejected; Infinity: never (SQS leaves that to its redrive policy). */
  maxRetries: number;
  filters?: Array<{ Pattern: string }>;
  /** FunctionResponseTypes has ReportBatchItemFailures: the response may name failed records by itemId. */
  reportItemFailures?: boolean;
  /**
   * After a failed batch, send its records alone until each succeeds or is given up, so
   * that one poison record cannot hold its batchmates back (default true). SQS sets
   * false: its failed messages come back on their own, batched as Lambda batches them.
   */
  isolateSuspects?: boolean;
}

/** "OK", or a problem to show as LastProcessingResult ("PROBLEM: " added by the caller). */
export type SendOutcome = { ok: true; sent: number } | { ok: false; problem: string; platform: boolean };

export interface BatchSender {
  send<R extends SourceRecord>(poller: SourcePoller<R>, records: R[]): Promise<SendOutcome>;
}

function functionProblem(result: InvokeResult): string {
  const e = failureOf(result);
  return e ? `Function call failed: ${e.errorType}: ${e.errorMessage}` : "Function call failed.";
}

export function createBatchSender(
  invoke: SyncInvoker,
  target: SendTarget,
  maxBytes = limits.syncPayloadBytes,
): BatchSender {
  const filter = createRecordFilter(target.filters);
  /** Failures of records that failed alone, by identity; present (0) when suspected after a batch failure. */
  const failures = new Map<string, number>();
  const isolate = target.isolateSuspects !== false;

  /** Failed records: counted when `counted` (alone, or named by the function), given up past maxRetries. */
  async function failed<R extends SourceRecord>(
    poller: SourcePoller<R>,
    records: R[],
    counted: boolean,
    rest: R[],
  ): Promise<void> {
    const giveUp: R[] = [];
    const again: R[] = [];
    for (const r of records) {
      const next = afterFailure(failures.get(r.identity) ?? 0, counted, target.maxRetries);
      if (next.verdict === "give-up") {
        giveUp.push(r);
        failures.delete(r.identity);
      } else {
        again.push(r);
        if (isolate) failures.set(r.identity, next.soloFailures);
      }
    }
    await poller.reject(giveUp);
    await poller.retry([...again, ...rest]);
  }

  return {
    async send(poller, records) {
      const kept = await filter(poller, records);
      const plan = chunk(
        kept.map((r) => ({ size: r.size, suspect: failures.has(r.identity) })),
        maxBytes,
        poller.eventOverhead,
      );
      let sent = 0;
      for (const [n, indexes] of plan.entries()) {
        const batch = indexes.map((i) => kept[i] as (typeof kept)[number]);
        const rest = () => plan.slice(n + 1).flatMap((ix) => ix.map((i) => kept[i] as (typeof kept)[number]));
        let result: InvokeResult;
        try {
          result = await invokeWith(invoke, target, poller.event(batch));
        } catch (err) {
          await poller.retry([...batch, ...rest()]);
          return { ok: false, problem: (err as Error).message.slice(0, 300), platform: isPlatformError(err) };
        }
        const verdict = result.functionError
          ? ({ kind: "all-failed" } as const)
          : target.reportItemFailures
            ? readBatchResponse(result.payload, new Set(batch.flatMap((r) => (r.itemId ? [r.itemId] : []))))
            : ({ kind: "all-ok" } as const);
        if (verdict.kind === "all-ok") {
          await poller.ack(batch);
          for (const r of batch) failures.delete(r.identity);
          sent += batch.length;
          continue;
        }
        if (verdict.kind === "some-failed") {
          // The function named the culprits: the others are done, and the batch goes on.
          const bad = batch.filter((r) => r.itemId !== undefined && verdict.failed.has(r.itemId));
          const good = batch.filter((r) => !bad.includes(r));
          await poller.ack(good);
          for (const r of good) failures.delete(r.identity);
          sent += good.length;
          await failed(poller, bad, true, []);
          continue;
        }
        await failed(poller, batch, batch.length === 1, rest());
        return {
          ok: false,
          problem: result.functionError
            ? functionProblem(result)
            : "Function call failed: the function returned an invalid partial batch response.",
          platform: false,
        };
      }
      return { ok: true, sent };
    },
  };
}
