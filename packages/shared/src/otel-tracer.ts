// The Tracer (tracer.ts) over the OpenTelemetry SDK: a provider of this process's own
// (never registered globally), batching spans to an OTLP/HTTP (JSON) collector. Spans
// join the trace Stratus decided for the invocation: a child of a remote parent when
// the context has one; a trace's first span takes the context's trace id (HintedIds),
// as OpenTelemetry would otherwise draw a new one. An unsampled trace records nothing.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type IdGenerator, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { z } from "zod";
import { newSpanId, newTraceId, type TraceContext } from "./trace-context.js";
import { noTracer, passingSpan, type SpanKindName, type Tracer, type TraceSpan } from "./tracer.js";

export interface OtelTracerOptions {
  /** service.name of the spans (stratus-control-plane, stratus-invoker). */
  serviceName: string;
  /** Extra resource attributes (the invoker's node id). */
  attributes?: Record<string, string>;
  /** The collector's OTLP/HTTP traces URL (…/v1/traces), or an exporter of one's own (tests). */
  exporter: { url: string } | SpanExporter;
}

const KINDS: Record<SpanKindName, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
  consumer: SpanKind.CONSUMER,
};

/**
 * Trace ids as X-Ray makes them (epoch seconds first), and the id of a trace's first
 * span's trace when one is hinted: startSpan draws it synchronously, so a hint set
 * just before is the one it takes.
 */
class HintedIds implements IdGenerator {
  hint: string | undefined;
  generateTraceId(): string {
    const id = this.hint ?? newTraceId();
    this.hint = undefined;
    return id;
  }
  generateSpanId(): string {
    return newSpanId();
  }
}

export function createOtelTracer(options: OtelTracerOptions): Tracer {
  const exporter = "url" in options.exporter ? new OTLPTraceExporter({ url: options.exporter.url }) : options.exporter;
  const ids = new HintedIds();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName, ...options.attributes }),
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500 })],
  });
  const tracer = provider.getTracer("stratus");

  return {
    recording: true,
    start(name, parent, opts = {}): TraceSpan {
      if (!parent.sampled) return passingSpan(parent);
      const ctx = parent.parentId
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: parent.traceId,
            spanId: parent.parentId,
            traceFlags: TraceFlags.SAMPLED,
            isRemote: true,
          })
        : ROOT_CONTEXT;
      if (!parent.parentId) ids.hint = parent.traceId;
      const span = tracer.startSpan(
        name,
        {
          kind: KINDS[opts.kind ?? "internal"],
          ...(opts.startTime !== undefined ? { startTime: opts.startTime } : {}),
          ...(opts.attributes ? { attributes: opts.attributes } : {}),
        },
        ctx,
      );
      ids.hint = undefined;
      let ended = false;
      return {
        context: { traceId: parent.traceId, parentId: span.spanContext().spanId, sampled: true } satisfies TraceContext,
        setAttributes: (a) => void span.setAttributes(a),
        fail: (message) => void span.setStatus({ code: SpanStatusCode.ERROR, message }),
        end(endTime) {
          if (ended) return;
          ended = true;
          span.end(endTime);
        },
      };
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}

/** The collector's traces URL from an OTLP base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT's meaning). */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/traces`;
}

/** The process's tracer: OpenTelemetry when an OTLP endpoint is configured, else none. */
export function tracerFor(
  endpoint: string | undefined,
  serviceName: string,
  attributes?: Record<string, string>,
): Tracer {
  if (!endpoint) return noTracer;
  return createOtelTracer({ serviceName, attributes, exporter: { url: otlpTracesUrl(endpoint) } });
}

const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional());

/**
 * The settings every process reads for its spans' collector: STRATUS_OTLP_ENDPOINT, or
 * the standard OTEL_EXPORTER_OTLP_ENDPOINT, an OTLP/HTTP base URL (spans go to
 * <it>/v1/traces). Neither set: no spans are made.
 */
export const OtlpEndpointSchema = {
  STRATUS_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
};

export function otlpEndpoint(e: { STRATUS_OTLP_ENDPOINT?: string; OTEL_EXPORTER_OTLP_ENDPOINT?: string }) {
  return e.STRATUS_OTLP_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT;
}
