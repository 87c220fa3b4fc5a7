// The control plane's spans of one call to a function: the API's accept (a sync call
// arriving at the API or a function URL), the queue wait (an async event's first
// attempt), the placement (nodes ranked, concurrency slot taken) and the dispatch to
// the node, whose own spans (placement on node, cold start, invoke) join under it
// through the internal invoke request's trace header. With tracing off the tracer
// records nothing and the call only carries its trace on.
import {
  decideTrace,
  type IncomingTrace,
  type TraceContext,
  type Tracer,
  type TraceSpan,
  type TracingMode,
} from "@stratus/shared";

/** What a caller tells of its call's trace (InvokeRequest.trace). */
export interface CallTraceInput {
  /** The trace the call arrived in (X-Amzn-Trace-Id, traceparent, or its async invocation's). */
  incoming?: IncomingTrace;
  /** When the API took the request (epoch ms): the call's accept span starts there. */
  acceptedAt?: number;
  /** When its async event was queued (epoch ms), for its first attempt's queue wait span. */
  queuedSince?: number;
}

export interface CallTrace {
  /** The trace the call runs in, as its answer names it (the accept span as parent, if any). */
  readonly context: TraceContext;
  /** Placement done: the call has its nodes and its concurrency slot. */
  placed(): void;
  /** Runs `send` to `nodeId` inside a dispatch span; `send` is given the context the node joins. */
  dispatch<T>(nodeId: string, send: (trace: TraceContext) => Promise<T>): Promise<T>;
  /** The call has ended (with `err` when it failed); a second end is ignored. */
  end(err?: unknown): void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Starts the trace of a call to a function whose TracingConfig is `mode`. */
export function startCallTrace(
  tracer: Tracer,
  input: CallTraceInput | undefined,
  fn: { accountId: string; name: string; version: string; tracingMode: TracingMode },
): CallTrace {
  const decided = decideTrace(input?.incoming, fn.tracingMode);
  const attributes = { "faas.name": fn.name, "faas.version": fn.version, "cloud.account.id": fn.accountId };
  let accept: TraceSpan | undefined;
  if (input?.acceptedAt !== undefined) {
    accept = tracer.start("accept", decided, { kind: "server", startTime: input.acceptedAt, attributes });
  }
  const context = accept?.context ?? decided;
  if (input?.queuedSince !== undefined) {
    tracer.start("queue wait", context, { kind: "consumer", startTime: input.queuedSince, attributes }).end();
  }
  const placement = tracer.start("placement", context, { attributes });
  return {
    context,
    placed: () => placement.end(),
    async dispatch(nodeId, send) {
      const span = tracer.start("dispatch", context, { kind: "client", attributes: { "stratus.node": nodeId } });
      try {
        return await send(span.context);
      } catch (err) {
        span.fail(message(err));
        throw err;
      } finally {
        span.end();
      }
    },
    end(err) {
      placement.end();
      if (err !== undefined) accept?.fail(message(err));
      accept?.end();
    },
  };
}
