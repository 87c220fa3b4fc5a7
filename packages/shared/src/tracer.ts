// The tracer services are given to record the platform's own stages (accept, queue
// wait, placement, cold start, invoke) as spans of an invocation's trace. main.ts
// builds one per process (otel-tracer.ts when an OTLP endpoint is configured) and
// hands it down; without one, noTracer does nothing and the invocation only carries
// its trace header.
import type { TraceContext } from "./trace-context.js";

export type SpanKindName = "server" | "client" | "internal" | "consumer";

export type SpanAttributes = Record<string, string | number | boolean>;

export interface SpanOptions {
  kind?: SpanKindName;
  /** When the stage began (epoch ms), if before the span is started. */
  startTime?: number;
  attributes?: SpanAttributes;
}

/** One stage being recorded. */
export interface TraceSpan {
  /** The trace as this span's children see it: `parentId` is this span's id (the parent's when not recording). */
  readonly context: TraceContext;
  setAttributes(attributes: SpanAttributes): void;
  /** Marks the stage failed, with why. */
  fail(message: string): void;
  /** Ends the stage (at `endTime`, epoch ms, or now); a second end is ignored. */
  end(endTime?: number): void;
}

export interface Tracer {
  /** Whether spans go anywhere: callers may skip work that only feeds span attributes. */
  readonly recording: boolean;
  /**
   * Starts span `name` in `parent`'s trace as a child of `parent.parentId` (the trace's
   * root span when it has none). Only a sampled trace's spans are recorded.
   */
  start(name: string, parent: TraceContext, options?: SpanOptions): TraceSpan;
  /** Exports what is left and stops. */
  shutdown(): Promise<void>;
}

/** A span that records nothing and passes its parent's context on unchanged. */
export function passingSpan(context: TraceContext): TraceSpan {
  return { context, setAttributes() {}, fail() {}, end() {} };
}

/** The tracer of a process with tracing off. */
export const noTracer: Tracer = {
  recording: false,
  start: (_name, parent) => passingSpan(parent),
  shutdown: async () => {},
};

/** Runs `work` inside span `name`, failing the span when it throws. */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  parent: TraceContext,
  work: (span: TraceSpan) => Promise<T>,
  options?: SpanOptions,
): Promise<T> {
  const span = tracer.start(name, parent, options);
  try {
    return await work(span);
  } catch (err) {
    span.fail(err instanceof Error ? err.message : String(err));
    throw err;
  } finally {
    span.end();
  }
}
