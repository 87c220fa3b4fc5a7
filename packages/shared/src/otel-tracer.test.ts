import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import { createOtelTracer } from "./otel-tracer.js";
import { noTracer } from "./tracer.js";

const TRACE_ID = "5759e988bd862e3fe1be46a994272793";

/** Keeps its spans past shutdown (the SDK's clears them). */
class KeptSpans extends InMemorySpanExporter {
  override async shutdown(): Promise<void> {}
}

async function recorded(work: (t: ReturnType<typeof createOtelTracer>) => void) {
  const exporter = new KeptSpans();
  const tracer = createOtelTracer({ serviceName: "test", exporter });
  work(tracer);
  await tracer.shutdown();
  return exporter.getFinishedSpans();
}

describe("createOtelTracer", () => {
  it("starts a trace's first span in the trace Stratus chose, and children under it", async () => {
    const spans = await recorded((tracer) => {
      const accept = tracer.start("accept", { traceId: TRACE_ID, sampled: true }, { kind: "server" });
      const placement = tracer.start("placement", accept.context);
      placement.end();
      accept.end();
    });
    expect(spans.map((s) => s.name).sort()).toEqual(["accept", "placement"]);
    const accept = spans.find((s) => s.name === "accept");
    const placement = spans.find((s) => s.name === "placement");
    expect(accept?.spanContext().traceId).toBe(TRACE_ID);
    expect(accept?.parentSpanContext).toBeUndefined();
    expect(placement?.spanContext().traceId).toBe(TRACE_ID);
    expect(placement?.parentSpanContext?.spanId).toBe(accept?.spanContext().spanId);
  });

  it("joins a remote parent, and hands children its own span id", async () => {
    let childParent: string | undefined;
    const spans = await recorded((tracer) => {
      const s = tracer.start("invoke", { traceId: TRACE_ID, parentId: "53995c3f42cd8ad8", sampled: true });
      childParent = s.context.parentId;
      s.fail("boom");
      s.end();
      s.end();
    });
    expect(spans).toHaveLength(1);
    expect(spans[0]?.parentSpanContext?.spanId).toBe("53995c3f42cd8ad8");
    expect(childParent).toBe(spans[0]?.spanContext().spanId);
    expect(spans[0]?.status.message).toBe("boom");
  });

  it("records nothing of an unsampled trace, and passes its context on", async () => {
    const parent = { traceId: TRACE_ID, parentId: "53995c3f42cd8ad8", sampled: false };
    let seen: unknown;
    const spans = await recorded((tracer) => {
      const s = tracer.start("invoke", parent);
      seen = s.context;
      s.end();
    });
    expect(spans).toHaveLength(0);
    expect(seen).toEqual(parent);
  });

  it("noTracer passes the context on", () => {
    const parent = { traceId: TRACE_ID, sampled: true };
    expect(noTracer.start("x", parent).context).toBe(parent);
  });
});
