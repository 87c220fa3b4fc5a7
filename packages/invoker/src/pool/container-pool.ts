// The node's warm pool: one invocation at a time per container, containers reused
// per function version (pool key), started on demand, evicted LRU when the node's
// memory capacity is reached, reaped after an idle TTL, and destroyed after a
// timeout, an OOM kill, a crash or an init failure. Decisions live in decisions.ts.
import { randomUUID } from "node:crypto";
import {
  errors,
  type InvokeCall,
  type InvokeOutcome,
  type InvokeSpec,
  limits,
  runtimeApi,
  runtimes,
  StratusError,
} from "@stratus/shared";
import type { ContainerBackend } from "../backend/container-backend.js";
import type { CodeCache } from "../code/code-cache.js";
import { ContainerLog } from "../logs/container-log.js";
import { endLine, reportLine, startLine, tail } from "../logs/log-format.js";
import type { InvokerMetrics, Outcome } from "../metrics.js";
import type { RuntimeApiServer } from "../runtime-api/runtime-api-server.js";
import { type FunctionFailure, Session } from "../runtime-api/session.js";
import { containerEnv, poolKey } from "./container-env.js";
import {
  type ContainerState,
  chooseEvictions,
  chooseExpired,
  chooseWarm,
  nextState,
  type PoolEntry,
} from "./decisions.js";

export interface PoolConfig {
  nodeId: string;
  network: string;
  capacityMb: number;
  idleTtlMs: number;
  /** Cap of one invocation's stored log. */
  logBytesPerInvocation: number;
}

/** One finished invocation's log, in Lambda's format, for storage. */
export interface InvocationLog {
  requestId: string;
  accountId: string;
  functionName: string;
  version: string;
  startedAt: Date;
  durationMs: number;
  outcome: Outcome;
  text: string;
}

export interface PoolInvokeResult extends InvokeOutcome {
  /** Base64 of the log's last 4 KB, when asked for (X-Amz-Log-Type: Tail). */
  logResult?: string;
}

interface Container extends PoolEntry {
  ip?: string;
  session: Session;
  log?: ContainerLog;
  /** performance.now() when the container was started. */
  startedAt?: number;
  /** Set until the first invocation has reported it. */
  initDurationMs?: number;
  /** Why the runtime died, once it has (decides the outcome label). */
  death?: Outcome;
}

/** Lambda's init phase limit. */
const INIT_TIMEOUT_MS = 10_000;

export const ownerLabels = (nodeId: string) => ({ "stratus.managed": "true", "stratus.node": nodeId });

export class ContainerPool {
  private readonly containers = new Map<string, Container>();
  private readonly removals = new Set<Promise<void>>();
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly config: PoolConfig,
    private readonly backend: ContainerBackend,
    private readonly api: RuntimeApiServer,
    private readonly code: CodeCache,
    private readonly metrics: InvokerMetrics,
    private readonly log: Pick<Console, "warn" | "error">,
    private readonly onInvocationLog: (entry: InvocationLog) => void = () => undefined,
  ) {
    this.reaper = setInterval(() => this.reapIdle(Date.now()), Math.min(config.idleTtlMs / 2, 10_000));
    this.reaper.unref();
  }

  async invoke(spec: InvokeSpec, call: InvokeCall, opts: { tail?: boolean } = {}): Promise<PoolInvokeResult> {
    const key = poolKey(spec);
    let c = chooseWarm(this.containers.values(), key);
    const cold = !c;
    if (c) this.setState(c, "busy");
    else c = await this.startContainer(spec, key);

    const timeoutMs = spec.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const kill = (death: Outcome, failure: FunctionFailure) => {
      if (c.session.state === "dead") return;
      c.death = death;
      c.session.die(failure);
    };
    const initTimer = setTimeout(
      () => kill("init_error", { errorType: "Runtime.InitTimeout", errorMessage: "Init phase timed out" }),
      INIT_TIMEOUT_MS,
    );
    const started = process.hrtime.bigint();
    const startedAt = new Date();
    let deliveredAt = performance.now();
    const outcome = await c.session.invoke({
      requestId: call.requestId,
      payload: call.payload,
      headers: () => {
        clearTimeout(initTimer);
        deliveredAt = performance.now();
        if (c.startedAt !== undefined && c.session.readyAt !== undefined && c.initDurationMs === undefined && cold) {
          c.initDurationMs = c.session.readyAt - c.startedAt;
        }
        const deadline = Date.now() + timeoutMs;
        timer = setTimeout(
          () =>
            kill("timeout", {
              errorType: "Sandbox.Timedout",
              errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
            }),
          timeoutMs,
        );
        return deliveryHeaders(spec, call, deadline);
      },
    });
    clearTimeout(initTimer);
    clearTimeout(timer);

    const durationMs = performance.now() - deliveredAt;

    const result: Outcome = c.death ?? (outcome.functionError ? "function_error" : "success");
    this.metrics.invocations.inc({ outcome: result });
    this.metrics.duration.observe({ outcome: result }, Number(process.hrtime.bigint() - started) / 1e9);
    const initDurationMs = c.initDurationMs;
    c.initDurationMs = undefined;
    const logText = this.finishLog(c, spec, call.requestId, { startedAt, durationMs, initDurationMs, outcome: result });
    if (c.session.state === "dead") void logText.finally(() => this.remove(c));
    else {
      c.lastUsed = Date.now();
      this.setState(c, "idle");
    }
    if (!opts.tail) return outcome;
    return { ...outcome, logResult: Buffer.from(tail(await logText, limits.logTailBytes)).toString("base64") };
  }

  /** Completes an invocation's log (START, output, END, REPORT) and hands it to storage. */
  private async finishLog(
    c: Container,
    spec: InvokeSpec,
    requestId: string,
    run: { startedAt: Date; durationMs: number; initDurationMs?: number; outcome: Outcome },
  ): Promise<string> {
    const [lines, maxMemoryUsedMb] = await Promise.all([
      c.log ? c.log.take(requestId) : Promise.resolve([]),
      this.backend.maxMemoryMb(c.id).catch(() => undefined),
    ]);
    const text = `${[
      startLine(requestId, spec.version),
      ...lines,
      endLine(requestId),
      reportLine(requestId, {
        durationMs: run.durationMs,
        memoryMb: spec.memoryMb,
        maxMemoryUsedMb,
        initDurationMs: run.initDurationMs,
      }),
    ].join("\n")}\n`;
    this.onInvocationLog({
      requestId,
      accountId: spec.accountId,
      functionName: spec.functionName,
      version: spec.version,
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      outcome: run.outcome,
      text,
    });
    return text;
  }

  private async startContainer(spec: InvokeSpec, key: string): Promise<Container> {
    const runtime = runtimes[spec.runtime as keyof typeof runtimes];
    if (!runtime) throw errors.invalidParameter(`Runtime ${spec.runtime} is not available on this node`);
    const evict = chooseEvictions([...this.containers.values()], spec.memoryMb, this.config.capacityMb);
    if (!evict) throw errors.capacity(`Node ${this.config.nodeId} has no room for ${spec.memoryMb} MB`);
    for (const victim of evict) {
      this.metrics.evictions.inc({ reason: "capacity" });
      void this.remove(victim);
    }
    // Reserve the memory before any await so that concurrent starts see it.
    const c: Container = {
      id: `pending-${randomUUID()}`,
      key,
      state: "starting",
      memoryMb: spec.memoryMb,
      lastUsed: Date.now(),
      session: new Session(),
    };
    this.containers.set(c.id, c);
    this.metrics.coldStarts.inc({ runtime: spec.runtime });
    const bound = this.api.expectContainer();
    try {
      const codeDir = await this.code.dirFor(spec.codeSha256Hex);
      const id = await this.backend.create({
        image: runtime.image,
        env: containerEnv(spec, this.api.address),
        labels: {
          ...ownerLabels(this.config.nodeId),
          "stratus.account": spec.accountId,
          "stratus.function": spec.functionName,
          "stratus.version": spec.version,
        },
        memoryMb: spec.memoryMb,
        ephemeralStorageMb: spec.ephemeralStorageMb,
        codeDir,
        network: this.config.network,
      });
      this.containers.delete(c.id);
      c.id = id;
      this.containers.set(id, c);
      const { stdout, stderr } = await this.backend.attach(id);
      c.log = new ContainerLog([stdout, stderr], this.config.logBytesPerInvocation);
      c.startedAt = performance.now();
      const { ip } = await this.backend.start(id, this.config.network);
      c.ip = ip;
      this.api.bind(ip, c.session);
      this.watchExit(c);
    } catch (err) {
      void this.remove(c);
      this.log.error(`container start failed for ${spec.functionName}`, err);
      throw err instanceof StratusError
        ? err
        : errors.service(`Could not start a container: ${(err as Error).message}`);
    } finally {
      bound();
    }
    this.setState(c, "busy");
    return c;
  }

  private watchExit(c: Container): void {
    this.backend.wait(c.id).then(
      (exit) => {
        if (c.session.state !== "dead") {
          c.death ??= exit.oomKilled ? "oom" : "crash";
          c.session.die(
            exit.oomKilled
              ? { errorType: "Runtime.OutOfMemory", errorMessage: "Runtime exited with error: signal: killed" }
              : {
                  errorType: "Runtime.ExitError",
                  errorMessage: `Runtime exited with error: exit status ${exit.exitCode}`,
                },
          );
        }
        if (c.state === "idle") void this.remove(c);
      },
      () => undefined,
    );
  }

  private setState(c: Container, to: ContainerState): void {
    c.state = nextState(c.state, to);
  }

  private remove(c: Container): Promise<void> {
    if (c.state === "removing") return Promise.resolve();
    c.state = "removing";
    const removal = this.destroy(c).finally(() => this.removals.delete(removal));
    this.removals.add(removal);
    return removal;
  }

  private async destroy(c: Container): Promise<void> {
    c.session.die({ errorType: "Runtime.ExitError", errorMessage: "Container removed" });
    if (c.ip) this.api.unbind(c.ip);
    try {
      if (!c.id.startsWith("pending-")) await this.backend.remove(c.id);
    } catch (err) {
      this.log.warn(`could not remove container ${c.id.slice(0, 12)}`, err);
    } finally {
      this.containers.delete(c.id);
    }
  }

  reapIdle(now: number): void {
    for (const c of chooseExpired(this.containers.values(), now, this.config.idleTtlMs)) {
      this.metrics.evictions.inc({ reason: "idle" });
      void this.remove(c);
    }
  }

  /** Containers by state and memory in use, for metrics and tests. */
  stats(): { byState: Record<ContainerState, number>; usedMb: number } {
    const byState: Record<ContainerState, number> = { starting: 0, idle: 0, busy: 0, removing: 0 };
    let usedMb = 0;
    for (const c of this.containers.values()) {
      byState[c.state]++;
      if (c.state !== "removing") usedMb += c.memoryMb;
    }
    return { byState, usedMb };
  }

  /** Removes every container of this node (graceful shutdown). */
  async close(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.all([...this.containers.values()].map((c) => this.remove(c)));
    await Promise.all([...this.removals]);
  }
}

function deliveryHeaders(spec: InvokeSpec, call: InvokeCall, deadline: number): Record<string, string> {
  const h: Record<string, string> = {
    [runtimeApi.requestId]: call.requestId,
    [runtimeApi.deadlineMs]: String(deadline),
    [runtimeApi.functionArn]: spec.functionArn,
    [runtimeApi.traceId]: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, "").slice(0, 24)};Sampled=0`,
  };
  if (call.clientContext) {
    // Lambda hands the runtime the decoded JSON; keep it only if it is a valid header value.
    const decoded = Buffer.from(call.clientContext, "base64").toString("utf8");
    if (/^[\x20-\x7e]*$/.test(decoded)) h[runtimeApi.clientContext] = decoded;
  }
  return h;
}
