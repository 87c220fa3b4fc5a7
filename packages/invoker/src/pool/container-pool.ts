// The node's warm pool: one invocation at a time per container, containers reused
// per function version (pool key); a cold start specialises a prewarmed stem cell of
// the runtime when one is ready (stem-keeper.ts, which also replenishes them in the
// background) and can serve the function faithfully (stem-fit.ts), and creates a
// container from scratch otherwise.
// Containers are evicted LRU when the node's memory capacity is reached, reaped after
// an idle TTL, and destroyed after a timeout, an OOM kill, a crash or an init
// failure. Decisions live in decisions.ts; the containers' effects in containers.ts.
// An OOM kill of a process the runtime outlives (a child it spawned) does not change
// the invocation's answer, but is counted, noted in that invocation's log, and
// retires the container all the same: its memory ran out, so what is left is
// suspect (the runtime may hold most of it, and the next invocation would be the one
// to die; the victim may be a helper the function relies on), and a new container
// costs only a cold start.
import { errors, type InvokeCall, type InvokeSpec, type Logger, limits, runtimes, StratusError } from "@stratus/shared";
import { type Capabilities, type ContainerBackend, capabilitiesOf } from "../backend/container-backend.js";
import type { CodeCache } from "../code/code-cache.js";
import {
  type Container,
  ownerLabels,
  ownerMetricLabels,
  ownerOf,
  type PoolStats,
  runtimeGone,
} from "../containers/container.js";
import { poolKey, scratchSpec } from "../containers/container-env.js";
import { Containers, runsFunction } from "../containers/containers.js";
import { chooseEvictions, chooseExpired, choosePlacement, stemKey } from "../containers/decisions.js";
import { oomKillLine, tail } from "../logs/log-format.js";
import type { InvokerMetrics, Outcome } from "../metrics.js";
import type { RuntimeApiServer } from "../runtime-api/runtime-api-server.js";
import type { FunctionFailure } from "../runtime-api/session.js";
import type { StemDirs } from "../stem-cells/stem-dirs.js";
import { stemCellFits } from "../stem-cells/stem-fit.js";
import { StemKeeper } from "../stem-cells/stem-keeper.js";
import { deliveryHeaders, type InvocationLog, invocationLog } from "./invocation-log.js";
import type { PoolConfig, PoolInvokeResult } from "./pool-types.js";

export { ownerLabels } from "../containers/container.js";
export type { InvocationLog } from "./invocation-log.js";
export type { PoolConfig, PoolInvokeResult } from "./pool-types.js";

/** Lambda's init phase limit. */
const INIT_TIMEOUT_MS = 10_000;

export class ContainerPool {
  private readonly containers: Containers;
  private readonly stems: StemKeeper;
  private readonly reaper: NodeJS.Timeout;
  private readonly can: Capabilities;

  constructor(
    private readonly config: PoolConfig,
    backend: ContainerBackend,
    private readonly api: RuntimeApiServer,
    private readonly code: CodeCache,
    stemDirs: StemDirs,
    private readonly metrics: InvokerMetrics,
    private readonly log: Pick<Logger, "warn" | "error">,
    private readonly onInvocationLog: (entry: InvocationLog) => void = () => undefined,
  ) {
    this.can = capabilitiesOf(backend);
    this.containers = new Containers({
      config,
      backend,
      memory: this.can.memory,
      api,
      stemDirs,
      metrics,
      log,
      // Memory was freed (or a stem cell lost): top the stem cells up again.
      onRemoved: () => this.stems.replenish(),
    });
    this.stems = new StemKeeper({ config, containers: this.containers, can: this.can, api, code, stemDirs, log });
    this.reaper = setInterval(
      () => {
        this.reapIdle(Date.now());
        this.stems.replenish();
      },
      Math.min(config.idleTtlMs / 2, 10_000),
    );
    this.reaper.unref();
    this.stems.replenish();
  }

  /**
   * Runs one invocation. `opts.givenUp`, asked once a container is ready and before
   * the event is handed over, refuses the invocation (nothing runs) when its caller
   * may have given it up meanwhile (the node was frozen while a container started).
   */
  async invoke(
    spec: InvokeSpec,
    call: InvokeCall,
    opts: { tail?: boolean; givenUp?: () => boolean } = {},
  ): Promise<PoolInvokeResult> {
    const key = poolKey(spec);
    // A function that depends on what its runtime reads only at start starts from
    // scratch, unless a stem cell's runtime started with just that.
    const placed = choosePlacement(this.containers.list(), key, stemKey(spec.runtime, spec.ephemeralStorageMb), (s) =>
      stemCellFits(spec, { memoryMb: s.memoryMb, startEnv: s.stem?.startEnv, resizable: !!this.can.resizing }),
    );
    const cold = placed.kind !== "warm";
    let c: Container;
    if (placed.kind === "warm") {
      c = placed.entry;
      this.containers.setState(c, "busy");
    } else c = await this.startCold(spec, key, placed.kind === "stem" ? placed.entry : undefined);
    if (opts.givenUp?.()) {
      if (runtimeGone(c)) void this.containers.remove(c);
      else {
        c.lastUsed = Date.now();
        this.containers.setState(c, "idle");
      }
      throw errors.capacity(`Node ${this.config.nodeId} was silent since the call was placed; not starting it`);
    }

    const timeoutMs = spec.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    /** Stops the runtime for `death`; false if it had already died (or exited: its exit says why). */
    const kill = (death: Outcome, failure: FunctionFailure): boolean => {
      if (runtimeGone(c)) return false;
      c.death = death;
      c.session.die(failure);
      return true;
    };
    const initTimer = setTimeout(
      () => kill("init_error", { errorType: "Runtime.InitTimeout", errorMessage: "Init phase timed out" }),
      INIT_TIMEOUT_MS,
    );
    const started = process.hrtime.bigint();
    const startedAt = new Date();
    let deliveredAt = performance.now();
    const { markedStreams, ...outcome } = await c.session.invoke({
      requestId: call.requestId,
      payload: call.payload,
      headers: () => {
        clearTimeout(initTimer);
        deliveredAt = performance.now();
        if (c.startedAt !== undefined && c.session.readyAt !== undefined && c.initDurationMs === undefined && cold) {
          c.initDurationMs = c.session.readyAt - c.startedAt;
        }
        const deadline = Date.now() + timeoutMs;
        timer = setTimeout(() => {
          const stopped = kill("timeout", {
            errorType: "Sandbox.Timedout",
            errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
          });
          if (stopped) this.metrics.timeouts.inc(ownerMetricLabels(ownerOf(spec)));
        }, timeoutMs);
        return deliveryHeaders(spec, call, deadline);
      },
    });
    clearTimeout(initTimer);
    clearTimeout(timer);

    const durationMs = performance.now() - deliveredAt;
    // A stem cell or network sandbox was used up by this cold start: its replacement
    // starts now, not beside it (stem-keeper.ts, net-sandboxes.ts).
    if (placed.kind === "stem") this.stems.replenish();
    else if (cold) this.can.preparesAhead?.settled(c.id);

    // A runtime may answer and then exit: the answer stands.
    const death = c.session.state === "dead" ? c.death : undefined;
    // The runtime answered, but a process of its container may have been killed for memory.
    const oomKills = runtimeGone(c) ? 0 : await this.containers.newOomKills(c);
    const result: Outcome = death ?? (outcome.functionError ? "function_error" : "success");
    this.metrics.invocations.inc({ outcome: result });
    this.metrics.duration.observe({ outcome: result }, Number(process.hrtime.bigint() - started) / 1e9);
    const initDurationMs = c.initDurationMs;
    c.initDurationMs = undefined;
    if (initDurationMs !== undefined) {
      const kind = c.stem ? "stem_cell" : "scratch";
      this.metrics.initDuration.observe({ runtime: spec.runtime, kind }, initDurationMs / 1000);
    }
    const logText = this.finishLog(
      c,
      spec,
      call.requestId,
      markedStreams,
      { startedAt, durationMs, initDurationMs, outcome: result },
      oomKills > 0 ? [oomKillLine(oomKills, spec.memoryMb)] : [],
    );
    // A runtime that has exited (even after answering) never serves again, nor one
    // whose container ran out of memory (see above).
    if (runtimeGone(c) || oomKills > 0) {
      void logText.finally(() => this.containers.remove(c));
    } else {
      c.lastUsed = Date.now();
      this.containers.setState(c, "idle");
    }
    if (!opts.tail) return outcome;
    return { ...outcome, logResult: Buffer.from(tail(await logText, limits.logTailBytes)).toString("base64") };
  }

  /** Completes an invocation's log (START, output, the platform's `notices`, END, REPORT) and hands it to storage. */
  private async finishLog(
    c: Container,
    spec: InvokeSpec,
    requestId: string,
    markedStreams: number[] | undefined,
    run: { startedAt: Date; durationMs: number; initDurationMs?: number; outcome: Outcome },
    notices: string[],
  ): Promise<string> {
    const [lines, maxMemoryUsedMb] = await Promise.all([
      c.log ? c.log.take(requestId, markedStreams) : Promise.resolve([]),
      this.can.memory?.maxMemoryMb(c.id).catch(() => undefined),
    ]);
    const entry = invocationLog(spec, requestId, [...lines, ...notices], { ...run, maxMemoryUsedMb });
    this.onInvocationLog(entry);
    return entry.text;
  }

  /** A container for `spec`: the stem cell if it specialises, else one from scratch. */
  private async startCold(spec: InvokeSpec, key: string, stem: Container | undefined): Promise<Container> {
    const runtime = runtimes[spec.runtime as keyof typeof runtimes];
    if (!runtime) throw errors.invalidParameter(`Runtime ${spec.runtime} is not available on this node`);
    const specialised = stem && (await this.stems.specialise(stem, spec, key));
    if (specialised) {
      this.metrics.coldStarts.inc({ runtime: spec.runtime, kind: "stem_cell" });
      return specialised;
    }
    const c = await this.startScratch(spec, key, runtime.image);
    this.metrics.coldStarts.inc({ runtime: spec.runtime, kind: "scratch" });
    return c;
  }

  private async startScratch(spec: InvokeSpec, key: string, image: string): Promise<Container> {
    const evict = chooseEvictions(this.containers.list(), spec.memoryMb, this.config.capacityMb);
    if (!evict) throw errors.capacity(`Node ${this.config.nodeId} has no room for ${spec.memoryMb} MB`);
    this.containers.evict(evict, "capacity");
    const c = this.containers.reserve(key, spec.memoryMb);
    c.owner = ownerOf(spec);
    const bound = this.api.expectContainer();
    try {
      const codeDir = await this.code.dirFor(spec.codeSha256Hex);
      const owner = ownerLabels(this.config.nodeId);
      const { ip, launchedAt } = await this.containers.launch(
        c,
        scratchSpec(spec, image, codeDir, this.config.network, this.api.address, owner),
        spec.runtime,
      );
      this.api.bind(ip, c.session, launchedAt);
    } catch (err) {
      void this.containers.remove(c);
      this.log.error(`container start failed for ${spec.functionName}`, err);
      throw err instanceof StratusError
        ? err
        : errors.service(`Could not start a container: ${(err as Error).message}`);
    } finally {
      bound();
    }
    this.containers.setState(c, "busy");
    return c;
  }

  reapIdle(now: number): void {
    this.containers.evict(chooseExpired(this.containers.list(), now, this.config.idleTtlMs), "idle");
  }

  /** Containers by state, memory in use, and warm stem cells by runtime, for metrics and tests. */
  stats(): PoolStats {
    return this.containers.stats();
  }

  /**
   * Ids of the live containers running `functionName` (of `accountId`, if given). Docker
   * labels are fixed at create, so a specialised stem cell carries no function labels:
   * this, not a label filter, is how to find a function's containers.
   */
  containerIdsOf(functionName: string, accountId?: string): string[] {
    return this.containers.idsOf(functionName, accountId);
  }

  /**
   * How many of `functionName`'s warm containers have their runtime parked on /next,
   * ready for an event this instant (a runtime that has just answered is still on
   * its way back to /next). A benchmark waits for one, so that each timed warm
   * invoke finds the container as an idle one is, whatever came just before.
   */
  runtimesWaiting(functionName: string, accountId?: string): number {
    return this.containers.count((c) => c.session.state === "idle" && runsFunction(c, functionName, accountId));
  }

  /**
   * Whether the node is still at work in the background: making ready what it keeps
   * ahead of need (stem cells, network sandboxes), or starting or removing containers.
   * A benchmark waits for this to end so that each timed cold start has the node to itself.
   */
  preparing(): boolean {
    const { starting, removing } = this.containers.stats().byState;
    return starting > 0 || removing > 0 || this.stems.preparing() || (this.can.preparesAhead?.preparing() ?? false);
  }

  /** Removes every container of this node (graceful shutdown). */
  async close(): Promise<void> {
    clearInterval(this.reaper);
    const stemsSettled = this.stems.close();
    await this.containers.removeAll();
    // A stem cell still being created removes itself once its create returns.
    await stemsSettled;
    await this.containers.settled();
  }
}
