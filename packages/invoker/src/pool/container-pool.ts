// The node's warm pool: one invocation at a time per container, containers reused
// per function version (pool key); a cold start specialises a prewarmed stem cell of
// the runtime when one is ready (stem-cells.ts) and creates a container from scratch
// otherwise; stem cells are replenished in the background (a small reserve of
// capacity: idle containers are evicted for them, busy ones never).
// Containers are evicted LRU when the node's memory capacity is reached, reaped after
// an idle TTL, and destroyed after a timeout, an OOM kill, a crash or an init
// failure. Decisions live in decisions.ts.
import { randomUUID } from "node:crypto";
import { errors, type InvokeCall, type InvokeSpec, limits, runtimes, StratusError } from "@stratus/shared";
import type { ContainerBackend, ContainerSpec } from "../backend/container-backend.js";
import type { CodeCache } from "../code/code-cache.js";
import { ContainerLog } from "../logs/container-log.js";
import { tail } from "../logs/log-format.js";
import type { InvokerMetrics, Outcome } from "../metrics.js";
import type { RuntimeApiServer } from "../runtime-api/runtime-api-server.js";
import { type FunctionFailure, Session } from "../runtime-api/session.js";
import { StemGate } from "../runtime-api/stem-gate.js";
import { poolKey, scratchSpec } from "./container-env.js";
import {
  type ContainerState,
  chooseEvictions,
  chooseExpired,
  choosePlacement,
  nextState,
  stemKey,
  stemsToCreate,
} from "./decisions.js";
import { deliveryHeaders, type InvocationLog, invocationLog } from "./invocation-log.js";
import {
  type Container,
  ownerLabels,
  type PoolConfig,
  type PoolInvokeResult,
  type PoolStats,
  poolStats,
} from "./pool-types.js";
import { specialise, stemSpec } from "./stem-cells.js";
import type { StemDirs } from "./stem-dirs.js";

export type { InvocationLog } from "./invocation-log.js";
export { ownerLabels, type PoolConfig, type PoolInvokeResult } from "./pool-types.js";

/** Lambda's init phase limit. */
const INIT_TIMEOUT_MS = 10_000;

export class ContainerPool {
  private readonly containers = new Map<string, Container>();
  private readonly removals = new Set<Promise<void>>();
  private readonly reaper: NodeJS.Timeout;
  /** Stem cells being created, awaited at close. */
  private readonly launches = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly config: PoolConfig,
    private readonly backend: ContainerBackend,
    private readonly api: RuntimeApiServer,
    private readonly code: CodeCache,
    private readonly stemDirs: StemDirs,
    private readonly metrics: InvokerMetrics,
    private readonly log: Pick<Console, "warn" | "error">,
    private readonly onInvocationLog: (entry: InvocationLog) => void = () => undefined,
  ) {
    this.reaper = setInterval(
      () => {
        this.reapIdle(Date.now());
        this.replenish();
      },
      Math.min(config.idleTtlMs / 2, 10_000),
    );
    this.reaper.unref();
    this.replenish();
  }

  async invoke(spec: InvokeSpec, call: InvokeCall, opts: { tail?: boolean } = {}): Promise<PoolInvokeResult> {
    const key = poolKey(spec);
    const placed = choosePlacement(this.containers.values(), key, stemKey(spec.runtime, spec.ephemeralStorageMb));
    const cold = placed.kind !== "warm";
    let c: Container;
    if (placed.kind === "warm") {
      c = placed.entry;
      this.setState(c, "busy");
    } else c = await this.startCold(spec, key, placed.kind === "stem" ? placed.entry : undefined);

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
    const entry = invocationLog(spec, requestId, lines, { ...run, maxMemoryUsedMb });
    this.onInvocationLog(entry);
    return entry.text;
  }

  /** A container for `spec`: the stem cell if it specialises, else one from scratch. */
  private async startCold(spec: InvokeSpec, key: string, stem: Container | undefined): Promise<Container> {
    const runtime = runtimes[spec.runtime as keyof typeof runtimes];
    if (!runtime) throw errors.invalidParameter(`Runtime ${spec.runtime} is not available on this node`);
    const specialised = stem && (await this.specialiseStem(stem, spec, key));
    if (specialised) {
      this.metrics.coldStarts.inc({ runtime: spec.runtime, kind: "stem_cell" });
      return specialised;
    }
    const c = await this.startScratch(spec, key, runtime.image);
    this.metrics.coldStarts.inc({ runtime: spec.runtime, kind: "scratch" });
    return c;
  }

  /** Binds the stem cell to `spec` for good; undefined (and the stem destroyed) if that fails. */
  private async specialiseStem(c: Container, spec: InvokeSpec, key: string): Promise<Container | undefined> {
    // The stem's own memory is reused, so it does not count while making room.
    const others = [...this.containers.values()].filter((e) => e !== c);
    const evict = chooseEvictions(others, spec.memoryMb, this.config.capacityMb);
    if (!evict || !c.stem || !c.ip) return undefined;
    this.evict(evict);
    // Claimed before any await: busy, with the function's key and memory reserved.
    this.setState(c, "busy");
    const stemMb = c.memoryMb;
    c.key = key;
    c.owner = { accountId: spec.accountId, functionName: spec.functionName };
    c.memoryMb = spec.memoryMb;
    c.lastUsed = Date.now();
    c.startedAt = performance.now();
    setImmediate(() => this.replenish());
    try {
      await specialise(
        { backend: this.backend, api: this.api, dirs: this.stemDirs, codeDirFor: (sha) => this.code.dirFor(sha) },
        { id: c.id, ip: c.ip, parts: c.stem, session: c.session, memoryMb: stemMb },
        spec,
      );
      return c;
    } catch (err) {
      this.log.warn(`stem cell ${c.id.slice(0, 12)} failed to specialise; starting from scratch`, err);
      void this.remove(c);
      return undefined;
    }
  }

  private async startScratch(spec: InvokeSpec, key: string, image: string): Promise<Container> {
    const evict = chooseEvictions([...this.containers.values()], spec.memoryMb, this.config.capacityMb);
    if (!evict) throw errors.capacity(`Node ${this.config.nodeId} has no room for ${spec.memoryMb} MB`);
    this.evict(evict);
    const c = this.reserve(key, spec.memoryMb);
    c.owner = { accountId: spec.accountId, functionName: spec.functionName };
    const bound = this.api.expectContainer();
    try {
      const codeDir = await this.code.dirFor(spec.codeSha256Hex);
      const owner = ownerLabels(this.config.nodeId);
      const ip = await this.launch(c, scratchSpec(spec, image, codeDir, this.config.network, this.api.address, owner));
      this.api.bind(ip, c.session);
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

  /** Creates and starts one stem cell of `runtime`, then offers it (state stem). */
  private async startStem(runtime: string): Promise<void> {
    const info = runtimes[runtime as keyof typeof runtimes];
    const cfg = this.config.stemCells;
    if (!info) return;
    const c = this.reserve(stemKey(runtime, cfg.ephemeralStorageMb), cfg.memoryMb);
    c.runtime = runtime;
    const bound = this.api.expectContainer();
    try {
      const dir = await this.stemDirs.create();
      c.stem = { dir, gate: new StemGate() };
      const owner = ownerLabels(this.config.nodeId);
      const ip = await this.launch(
        c,
        stemSpec(info.image, runtime, cfg, dir, this.config.network, this.api.address, owner),
      );
      this.api.bindStem(ip, c.stem.gate);
    } catch (err) {
      if (c.state !== "removing") this.log.warn(`could not start a ${runtime} stem cell`, err);
      void this.remove(c);
      return;
    } finally {
      bound();
    }
    if (c.state !== "starting") return;
    // Its runtime died while it started: never offer it.
    if (c.session.state === "dead") return void this.remove(c);
    c.lastUsed = Date.now();
    this.setState(c, "stem");
  }

  /** A placeholder entry that holds its memory before any await, so concurrent starts see it. */
  private reserve(key: string, memoryMb: number): Container {
    const c: Container = {
      id: `pending-${randomUUID()}`,
      key,
      state: "starting",
      memoryMb,
      lastUsed: Date.now(),
      session: new Session(),
    };
    this.containers.set(c.id, c);
    return c;
  }

  /** Creates, attaches to and starts `c`'s container; returns its address. */
  private async launch(c: Container, spec: ContainerSpec): Promise<string> {
    const id = await this.backend.create(spec);
    if (c.state === "removing") {
      // Removed (shutdown, eviction) while being created: nothing else knows this id.
      await this.backend.remove(id).catch(() => undefined);
      throw new Error("container removed while starting");
    }
    this.containers.delete(c.id);
    c.id = id;
    this.containers.set(id, c);
    const { stdout, stderr } = await this.backend.attach(id);
    c.log = new ContainerLog([stdout, stderr], this.config.logBytesPerInvocation);
    c.startedAt = performance.now();
    const { ip } = await this.backend.start(id, this.config.network);
    c.ip = ip;
    this.watchExit(c);
    return ip;
  }

  /** Starts the stem cells missing from each runtime's target, evicting idle containers for them if need be. */
  replenish(): void {
    if (this.closed) return;
    const cfg = this.config.stemCells;
    for (const runtime of cfg.runtimes) {
      const n = stemsToCreate(
        this.containers.values(),
        stemKey(runtime, cfg.ephemeralStorageMb),
        cfg.perRuntime,
        cfg.memoryMb,
        this.config.capacityMb,
      );
      for (let i = 0; i < n; i++) {
        const evict = chooseEvictions([...this.containers.values()], cfg.memoryMb, this.config.capacityMb, {
          stems: false,
        });
        if (!evict) break;
        this.evict(evict);
        const launch: Promise<void> = this.startStem(runtime).finally(() => this.launches.delete(launch));
        this.launches.add(launch);
      }
    }
  }

  private evict(victims: Container[]): void {
    for (const victim of victims) {
      this.metrics.evictions.inc({ reason: "capacity" });
      void this.remove(victim);
    }
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
        if (c.state === "idle" || c.state === "stem") void this.remove(c);
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
    c.stem?.gate.close();
    if (c.ip) {
      this.api.unbind(c.ip);
      this.api.unbindStem(c.ip);
    }
    try {
      if (!c.id.startsWith("pending-")) await this.backend.remove(c.id);
      if (c.stem) await this.stemDirs.remove(c.stem.dir);
    } catch (err) {
      this.log.warn(`could not remove container ${c.id.slice(0, 12)}`, err);
    } finally {
      this.containers.delete(c.id);
    }
    // Memory was freed (or a stem cell lost): top the stem cells up again.
    this.replenish();
  }

  reapIdle(now: number): void {
    for (const c of chooseExpired(this.containers.values(), now, this.config.idleTtlMs)) {
      this.metrics.evictions.inc({ reason: "idle" });
      void this.remove(c);
    }
  }

  /** Containers by state, memory in use, and warm stem cells by runtime, for metrics and tests. */
  stats(): PoolStats {
    return poolStats(this.containers.values());
  }

  /**
   * Ids of the live containers running `functionName` (of `accountId`, if given). Docker
   * labels are fixed at create, so a specialised stem cell carries no function labels:
   * this, not a label filter, is how to find a function's containers.
   */
  containerIdsOf(functionName: string, accountId?: string): string[] {
    return [...this.containers.values()]
      .filter((c) => c.owner?.functionName === functionName && (!accountId || c.owner.accountId === accountId))
      .filter((c) => c.state !== "removing" && !c.id.startsWith("pending-"))
      .map((c) => c.id);
  }

  /** Removes every container of this node (graceful shutdown). */
  async close(): Promise<void> {
    clearInterval(this.reaper);
    this.closed = true;
    await Promise.all([...this.containers.values()].map((c) => this.remove(c)));
    // A stem cell still being created removes itself once its create returns.
    await Promise.all([...this.launches]);
    await Promise.all([...this.removals]);
  }
}
