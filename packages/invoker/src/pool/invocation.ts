// One invocation's run on a container claimed for it. It hands the event to the
// runtime's session and owns the invocation's two timers (the init limit until the
// runtime takes the event, then the function's timeout), which, like the session
// and the engine's exit watcher, only send events into the container's lifecycle:
// the lifecycle alone decides the container's fate. Then it judges the outcome,
// completes the log and hands the container back, or retires it.
import type { Readable } from "node:stream";
import {
  billedMs,
  type FunctionSeriesLabels,
  formatXrayHeader,
  type InvokeCall,
  type InvokeSpec,
  limits,
  newSpanId,
  newTraceId,
  type RunUsage,
  runtimeApi,
  type TraceContext,
  type Tracer,
  type TraceSpan,
} from "@stratus/shared";
import type { MemoryStats, ProcessLimit } from "../backend/container-backend.js";
import { FUNCTION_PIDS_LIMIT } from "../backend/docker-create-options.js";
import { type Container, ownerMetricLabels, ownerOf } from "../containers/container.js";
import type { Containers } from "../containers/containers.js";
import type { DeathCause, Life } from "../containers/lifecycle.js";
import { type InvocationLog, invocationLog } from "../logs/invocation-log.js";
import { oomKillLine, processLimitLine, tail } from "../logs/log-format.js";
import { LOG_NONCE_HEADER } from "../logs/log-markers.js";
import type { InvokerMetrics, Outcome } from "../metrics.js";
import type { SessionOutcome } from "../runtime-api/session.js";
import type { PoolInvokeResult } from "./pool-types.js";

/** Lambda's init phase limit. */
export const INIT_TIMEOUT_MS = 10_000;

export interface InvocationDeps {
  containers: Containers;
  /** Where the REPORT line's Max Memory Used comes from. */
  memory: MemoryStats | undefined;
  /** Where a container that reached its process limit is told. */
  processLimit: ProcessLimit | undefined;
  metrics: InvokerMetrics;
  onInvocationLog: (entry: InvocationLog) => void;
  /** Records the cold start and the function's run as spans of the call's trace. */
  tracer: Tracer;
}

/** A cold start's kind, and since when (performance.now()) it counts towards Init Duration. */
export interface ColdStart {
  kind: "stem_cell" | "scratch";
  since: number;
}

/** What a run came to: the runtime's own answer, or the failure its death answered. */
export interface Ran {
  outcome: SessionOutcome;
  answered: boolean;
  /** A streamed answer: its bytes, and what the run came to once they have ended. */
  stream?: { contentType: string; body: Readable; ended: Promise<Ran> };
}

const DEATH_OUTCOMES: Record<DeathCause, Outcome> = {
  "init-timeout": "init_error",
  timeout: "timeout",
  // The runtime's own report of a failed init is the function's error.
  failed: "function_error",
  oom: "oom",
  crash: "crash",
};

/**
 * An invocation's outcome label: that of the container's death when its runtime died
 * instead of answering (`death`, its life then: an exit the engine has yet to tell of
 * is a crash), else the answer's.
 */
export function outcomeOf(death: Life | undefined, functionError: string | undefined): Outcome {
  if (death?.state === "dead") return DEATH_OUTCOMES[death.cause];
  if (death?.state === "exited") return "crash";
  return functionError ? "function_error" : "success";
}

export class Invocation {
  private readonly started = process.hrtime.bigint();
  private readonly startedAt = new Date();
  private deliveredAt = performance.now();
  private initDurationMs: number | undefined;
  private initLimit: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  /** The secret its runtime's log markers must carry (container-log.ts); issued at delivery. */
  private logNonce: string | undefined;
  /** The function's run, from delivery to its outcome. */
  private span: TraceSpan | undefined;
  /** Its per-function labels, and the end of its part in ConcurrentExecutions. */
  private readonly labels: FunctionSeriesLabels;
  readonly stopRunning: () => void;

  constructor(
    private readonly deps: InvocationDeps,
    private readonly c: Container,
    private readonly spec: InvokeSpec,
    private readonly call: InvokeCall,
    private readonly cold: ColdStart | undefined,
  ) {
    const { lambda } = deps.metrics;
    this.labels = lambda.labelsOf(spec);
    this.stopRunning = lambda.started(this.labels);
    if (cold) lambda.coldStart(this.labels);
  }

  /**
   * Hands the event over; resolves with the runtime's answer, or with the notice of
   * its death. A streamed answer resolves as its stream begins: the function's timeout
   * runs on until it has ended, and `ran.stream.ended` tells how it did.
   */
  async run(): Promise<Ran> {
    const { c, call } = this;
    const { containers } = this.deps;
    containers.send(c, { type: "invoke" });
    this.initLimit = setTimeout(() => containers.send(c, { type: "init-timeout" }), INIT_TIMEOUT_MS);
    let outcome: SessionOutcome;
    try {
      outcome = await c.session.invoke({
        requestId: call.requestId,
        payload: call.payload,
        headers: () => this.delivered(),
      });
    } finally {
      clearTimeout(this.initLimit);
    }
    // A session the runtime answered lives on; one ended by a death answered for it.
    const ended = (o: SessionOutcome): Ran => {
      clearTimeout(this.deadline);
      return { outcome: o, answered: c.session.state !== "dead" };
    };
    if (!outcome.stream) return ended(outcome);
    const { stream, ...answer } = outcome;
    return {
      outcome: answer,
      answered: true,
      stream: { contentType: stream.contentType, body: stream.body, ended: stream.ended.then(ended) },
    };
  }

  /** Counts the outcome, completes the log, and hands the container back or retires it. */
  async finish(
    { outcome: { markedStreams, stream: _stream, ...outcome }, answered }: Ran,
    opts: { tail?: boolean },
  ): Promise<PoolInvokeResult> {
    const { c, spec } = this;
    const { containers, metrics } = this.deps;
    const durationMs = performance.now() - this.deliveredAt;
    // The runtime answered, but a process of its container may have been killed for
    // memory, or refused for its process limit (what it started is still there).
    const oomKills = c.life.state === "answered" ? await containers.oomKills.look(c) : 0;
    const atLimit = c.life.state === "answered" && oomKills === 0 && (await this.reachedProcessLimit());
    const result = outcomeOf(answered ? undefined : c.life, outcome.functionError);
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    metrics.invocations.inc({ outcome: result });
    metrics.duration.observe({ outcome: result }, seconds);
    this.stopRunning();
    metrics.lambda.ended(this.labels, result !== "success", durationMs / 1000);
    const { cold, initDurationMs } = this;
    if (cold && initDurationMs !== undefined) {
      metrics.initDuration.observe({ runtime: spec.runtime, kind: cold.kind }, initDurationMs / 1000);
      metrics.lambda.initDuration(this.labels, initDurationMs / 1000);
    }
    this.span?.setAttributes({ "stratus.outcome": result });
    if (result !== "success") this.span?.fail(outcome.functionError ? `${result}: ${outcome.functionError}` : result);
    this.span?.end();
    const notices = oomKills > 0 ? [oomKillLine(oomKills, spec.memoryMb)] : [];
    if (atLimit) notices.push(processLimitLine(FUNCTION_PIDS_LIMIT));
    const run = { startedAt: this.startedAt, durationMs, initDurationMs, outcome: result };
    const logText = this.completeLog(markedStreams, run, notices);
    const usage = runUsage(result, durationMs, cold ? (initDurationMs ?? 0) : undefined, spec.memoryMb);
    // A runtime that has died (even after answering) never serves again, nor one whose
    // container ran out of memory or reached its process limit: what is left of it is
    // suspect (or holds its processes still), and a new one costs only a cold start.
    if (c.life.state === "answered" && oomKills === 0 && !atLimit) containers.release(c, logText);
    else void logText.finally(() => containers.remove(c));
    if (!opts.tail) return { ...outcome, usage };
    return { ...outcome, usage, logResult: Buffer.from(tail(await logText, limits.logTailBytes)).toString("base64") };
  }

  /** Whether the kernel has refused the container a fork at its process limit (false when it cannot tell). */
  private async reachedProcessLimit(): Promise<boolean> {
    const refused = await this.deps.processLimit?.forkRefusals(this.c.id).catch(() => undefined);
    return refused !== undefined && refused > 0;
  }

  /** The runtime takes the event: the init limit ends, the function's timeout starts. */
  private delivered(): Record<string, string> {
    const { c, spec, call } = this;
    const { containers, metrics } = this.deps;
    clearTimeout(this.initLimit);
    containers.send(c, { type: "delivered" });
    this.deliveredAt = performance.now();
    if (this.cold && c.session.readyAt !== undefined) this.initDurationMs = c.session.readyAt - this.cold.since;
    const trace = this.traceRun();
    const timeoutMs = spec.timeoutSeconds * 1000;
    this.deadline = setTimeout(() => {
      // After an exit the deadline changes nothing: the exit says why the runtime died.
      const life = containers.send(c, { type: "timeout", afterMs: timeoutMs });
      if (life.state === "dead") metrics.timeouts.inc(ownerMetricLabels(ownerOf(spec)));
    }, timeoutMs);
    const headers = deliveryHeaders(spec, call, Date.now() + timeoutMs, trace);
    this.logNonce = c.launched?.log.issue(call.requestId);
    if (this.logNonce) headers[LOG_NONCE_HEADER] = this.logNonce;
    return headers;
  }

  /**
   * Records the cold start that made the container (its create or specialisation and
   * its runtime's init, up to now) and starts the function's run span; returns the
   * trace the function sees, its parent the run span.
   */
  private traceRun(): TraceContext & { parentId: string } {
    const { call, cold, deps } = this;
    const parent = call.trace ?? { traceId: newTraceId(), sampled: false };
    const attributes = { "faas.name": this.spec.functionName, "faas.version": this.spec.version };
    if (cold) {
      const startTime = performance.timeOrigin + cold.since;
      deps.tracer
        .start("cold start", parent, { startTime, attributes: { ...attributes, "stratus.cold_start": cold.kind } })
        .end();
    }
    this.span = deps.tracer.start("invoke", parent, {
      kind: "server",
      attributes: { ...attributes, "faas.invocation_id": call.requestId, "faas.coldstart": !!cold },
    });
    // Not recording, the function's parent is the caller's span, or one of its own.
    const own = this.span.context;
    return { ...own, parentId: own.parentId ?? newSpanId() };
  }

  /** Completes the invocation's log (START, output, the platform's `notices`, END, REPORT) and hands it to storage. */
  private async completeLog(
    markedStreams: number[] | undefined,
    run: { startedAt: Date; durationMs: number; initDurationMs?: number; outcome: Outcome },
    notices: string[],
  ): Promise<string> {
    const { c, spec, call } = this;
    const [lines, maxMemoryUsedMb] = await Promise.all([
      c.launched ? c.launched.log.takeTimed(this.logNonce, markedStreams) : Promise.resolve([]),
      this.deps.memory?.maxMemoryMb(c.id).catch(() => undefined),
    ]);
    const now = Date.now();
    const noticed = notices.map((line) => ({ line, at: now }));
    const entry = invocationLog(spec, call.requestId, [...lines, ...noticed], { ...run, maxMemoryUsedMb }, c.logStream);
    this.deps.onInvocationLog(entry);
    return entry.text;
  }
}

/** What a run used, billed as its REPORT line bills it; `initMs` undefined when it was warm. */
export function runUsage(outcome: Outcome, durationMs: number, initMs: number | undefined, memoryMb: number): RunUsage {
  const init = initMs ?? 0;
  return {
    outcome,
    durationMs,
    initMs: init,
    billedMs: billedMs(durationMs, init),
    memoryMb,
    cold: initMs !== undefined,
  };
}

/** The Runtime API headers of a delivery whose deadline is `deadline` (epoch ms). */
function deliveryHeaders(
  spec: InvokeSpec,
  call: InvokeCall,
  deadline: number,
  trace: TraceContext & { parentId: string },
): Record<string, string> {
  const h: Record<string, string> = {
    [runtimeApi.requestId]: call.requestId,
    [runtimeApi.deadlineMs]: String(deadline),
    [runtimeApi.functionArn]: spec.functionArn,
    // Always the full Root=;Parent=;Sampled= form: X-Ray's SDKs drop subsegments otherwise.
    [runtimeApi.traceId]: formatXrayHeader(trace),
  };
  if (call.clientContext) {
    // Lambda hands the runtime the decoded JSON; keep it only if it is a valid header value.
    const decoded = Buffer.from(call.clientContext, "base64").toString("utf8");
    if (/^[\x20-\x7e]*$/.test(decoded)) h[runtimeApi.clientContext] = decoded;
  }
  return h;
}
