// What every mapping's sender does around one invocation, whatever the source's retry
// semantics: drop the records FilterCriteria rejects (settled as done), invoke the
// function synchronously with a batch's event, and read a function error's type and
// message; a thrown error is the platform's or a throttle unless it is the client's.
import { StratusError } from "@stratus/shared";
import { type Pattern, parsePattern } from "../events/pattern-check.js";
import { matches } from "../events/pattern-match.js";
import type { InvokeRequest, InvokeResult } from "../services/invoke-service.js";
import type { SourcePoller, SourceRecord } from "./source-poller.js";

export type SyncInvoker = { invokeSync(req: InvokeRequest): Promise<InvokeResult> };

/** The function a mapping invokes. */
export interface InvokeTarget {
  accountId: string;
  functionName: string;
  qualifier?: string;
}

export interface FunctionFailure {
  errorType: string;
  errorMessage: string;
}

/** Invokes `target` with `event`; throws on a throttle, platform or client error (see isPlatformError). */
export function invokeWith(invoke: SyncInvoker, target: InvokeTarget, event: unknown): Promise<InvokeResult> {
  return invoke.invokeSync({
    accountId: target.accountId,
    functionName: target.functionName,
    ...(target.qualifier ? { qualifier: target.qualifier } : {}),
    payload: Buffer.from(JSON.stringify(event)),
  });
}

/** Whether an error thrown by invokeWith is the platform's (or a throttle) rather than the client's. */
export const isPlatformError = (err: unknown) => !(err instanceof StratusError) || err.kind !== "client";

/** A function error's type and message (the message cut to 200 characters); undefined when its payload is not JSON. */
export function failureOf(result: InvokeResult): FunctionFailure | undefined {
  try {
    const e = JSON.parse(result.payload.toString("utf8")) as { errorType?: unknown; errorMessage?: unknown };
    return { errorType: String(e.errorType ?? "Error"), errorMessage: String(e.errorMessage ?? "").slice(0, 200) };
  } catch {
    return undefined;
  }
}

/** A filter over FilterCriteria: it acks (settles as done) the records no pattern matches and returns the rest. */
export function createRecordFilter(filters: ReadonlyArray<{ Pattern: string }> | undefined) {
  const patterns: Pattern[] = (filters ?? []).map((f) => parsePattern(f.Pattern));
  return async <R extends SourceRecord>(poller: SourcePoller<R>, records: R[]): Promise<R[]> => {
    if (patterns.length === 0) return records;
    const kept = records.filter((r) => patterns.some((p) => matches(p, r.filterView)));
    if (kept.length < records.length) await poller.ack(records.filter((r) => !kept.includes(r)));
    return kept;
  };
}
