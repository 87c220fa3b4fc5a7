// The node's warm pool: one invocation at a time per container, containers reused
// per function version (pool key); a cold start specialises a ready stem cell of the
// runtime when one can serve the function faithfully (stem-cells/), and starts a
// container from scratch otherwise. Containers are evicted LRU when the node's memory
// is full, reaped after an idle TTL, and retired when their runtime dies or their
// memory ran out (invocation.ts runs each invocation; containers/ keeps their lives).
// Containers pinned to a provisioned set are started ahead of need and never reaped
// nor evicted while idle (provisioned/ decides which; the pool starts and pins them).
import {
  errors,
  ImageProblem,
  type InvokeCall,
  type InvokeSpec,
  type Logger,
  noTracer,
  type Retirement,
  retires,
  runtimes,
  StratusError,
  type Tracer,
} from "@stratus/shared";
import {
  type Capabilities,
  type ContainerBackend,
  capabilitiesOf,
  type ImageInfo,
} from "../backend/container-backend.js";
import type { CodeCache } from "../code/code-cache.js";
import type { LayerSets } from "../code/layer-sets.js";
import { type Container, ownerLabels, ownerOf, type PoolStats, runsFunction } from "../containers/container.js";
import { type InitializationType, imageSpec, poolKey, scratchSpec } from "../containers/container-env.js";
import { Containers } from "../containers/containers.js";
import { chooseExpired, choosePlacement, stemKey } from "../containers/decisions.js";
import { noIdentity } from "../containers/function-identity.js";
import type { NodeImages } from "../images/node-images.js";
import type { InvocationLog } from "../logs/invocation-log.js";
import type { InvokerMetrics } from "../metrics.js";
import { initLimitMs, untilInitialised } from "../provisioned/init-wait.js";
import { adoptable, pinnedOf } from "../provisioned/pinning.js";
import { Provisioner } from "../provisioned/provisioner.js";
import type { RuntimeApiServer } from "../runtime-api/runtime-api-server.js";
import { failurePayload } from "../runtime-api/session.js";
import type { StemDirs } from "../stem-cells/stem-dirs.js";
import { stemCellFits } from "../stem-cells/stem-fit.js";
import { StemKeeper } from "../stem-cells/stem-keeper.js";
import { type ColdStart, Invocation, type InvocationDeps } from "./invocation.js";
import type { PoolConfig, PoolInvokeResult } from "./pool-types.js";

export { ownerLabels } from "../containers/container.js";
export type { InvocationLog } from "../logs/invocation-log.js";
export type { PoolConfig, PoolInvokeResult, PoolStream } from "./pool-types.js";

/**
 * How long after a cold start's run the engine work it leaves (a replacement stem cell
 * or network sandbox, a stem's new name) begins: its answer goes back to the control
 * plane and its caller first. Started at once, the engine's work slowed that answer on
 * a 2-core node: a stem-cell start read 9.0-10.3 ms p50 so, 7.6-8.1 ms with this wait.
 */
const ANSWER_AHEAD_MS = 10;

/** A container claimed for one invocation, and the cold start that made it, if one did. */
interface Claimed {
  c: Container;
  cold?: ColdStart;
}

/** An engine's refusal to start a container because its entrypoint cannot be executed. */
function badEntrypoint(err: unknown): boolean {
  return /exec|no such file or directory|permission denied|not found in \$PATH|executable file/i.test(
    (err as Error)?.message ?? "",
  );
}

export class ContainerPool {
  /** The node's provisioned sets, kept started and initialised (the internal API's PUT hands it the desired state). */
  readonly provisioned: Provisioner;
  private readonly can: Capabilities;
  private readonly containers: Containers;
  private readonly stems: StemKeeper;
  private readonly invocations: InvocationDeps;
  private readonly reaper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly config: PoolConfig,
    backend: ContainerBackend,
    private readonly api: RuntimeApiServer,
    private readonly code: CodeCache,
    private readonly layers: LayerSets,
    stemDirs: StemDirs,
    private readonly metrics: InvokerMetrics,
    private readonly log: Pick<Logger, "warn" | "error">,
    onInvocationLog: (entry: InvocationLog) => void = () => undefined,
    private readonly tracer: Tracer = noTracer,
    /** Where image functions' images come from; absent, the node refuses image functions. */
    private readonly images?: NodeImages,
  ) {
    this.can = capabilitiesOf(backend);
    const memory = this.can.memory;
    this.containers = new Containers({
      config,
      backend,
      memory,
      freezing: this.can.freezing,
      api,
      stemDirs,
      metrics,
      log,
      // Memory was freed (or a stem cell lost): top the stem cells up again.
      onRemoved: () => this.stems.replenish(),
    });
    this.stems = new StemKeeper({
      config,
      containers: this.containers,
      can: this.can,
      api,
      code,
      layers,
      stemDirs,
      log,
    });
    const processLimit = this.can.processLimit;
    this.invocations = { containers: this.containers, memory, processLimit, metrics, onInvocationLog, tracer };
    this.reaper = setInterval(
      () => {
        this.reapIdle(Date.now());
        this.stems.replenish();
        void this.sweepImages();
      },
      Math.min(config.idleTtlMs / 2, 10_000),
    );
    this.reaper.unref();
    this.stems.replenish();
    this.provisioned = new Provisioner(this, { gauge: metrics.provisioned, log });
  }

  /**
   * Runs one invocation. `opts.givenUp`, asked once a container is ready and before
   * the event is handed over, refuses the invocation (nothing runs) when its caller
   * may have given it up meanwhile (the node was frozen while a container started).
   * Code that cannot be unpacked is answered as the function's error.
   */
  async invoke(
    spec: InvokeSpec,
    call: InvokeCall,
    opts: { tail?: boolean; givenUp?: () => boolean } = {},
  ): Promise<PoolInvokeResult> {
    let claimed: Claimed;
    const placing =
      call.trace &&
      this.tracer.start("placement on node", call.trace, { attributes: { "stratus.node": this.config.nodeId } });
    try {
      claimed = await this.claim(spec, call.requestId);
      placing?.setAttributes({ "stratus.placement": claimed.cold?.kind ?? "warm" });
    } catch (err) {
      placing?.fail((err as Error).message);
      if (!(err instanceof StratusError) || err.kind !== "function") throw err;
      return {
        payload: failurePayload({ errorType: err.code, errorMessage: err.message }),
        functionError: "Unhandled",
      };
    } finally {
      placing?.end();
    }
    const { c, cold } = claimed;
    if (opts.givenUp?.()) {
      if (c.life.state !== "claimed") void this.containers.remove(c);
      else this.containers.release(c);
      throw errors.capacity(`Node ${this.config.nodeId} was silent since the call was placed; not starting it`);
    }
    const invocation = new Invocation(this.invocations, c, spec, call, cold);
    // Its end is counted in finish; a run that failed, or a stream that broke, ends it here.
    const ran = await invocation.run().catch((err: unknown) => {
      invocation.stopRunning();
      throw err;
    });
    // A stem cell or network sandbox was used up by this cold start: its replacement
    // starts once the answer is on its way, not beside it (stem-keeper.ts, net-sandboxes.ts).
    if (cold) setTimeout(() => this.coldStartAnswered(c, cold), ANSWER_AHEAD_MS).unref();
    if (!ran.stream) return invocation.finish(ran, opts);
    const { contentType, body, ended } = ran.stream;
    return {
      payload: ran.outcome.payload,
      stream: {
        contentType,
        body,
        done: ended.then((r) => invocation.finish(r, opts)).finally(invocation.stopRunning),
      },
    };
  }

  /** The follow-up of cold start `cold` once its answer has gone: what it used up is replaced. */
  private coldStartAnswered(c: Container, cold: ColdStart): void {
    if (cold.kind === "stem_cell") this.stems.answered(c);
    else this.can.preparesAhead?.settled(c.id);
  }

  /**
   * A container claimed for `spec` (for invocation `requestId`, named in the log): the
   * warmest idle one, else a stem cell specialised, else one from scratch.
   */
  private async claim(spec: InvokeSpec, requestId: string): Promise<Claimed> {
    // Code known not to unpack takes no container: a stem cell would be used up for nothing.
    const refused = spec.image ? undefined : this.code.refusal(spec.codeSha256Hex);
    if (refused) throw refused;
    const key = poolKey(spec);
    // A function that depends on what its runtime reads only at start starts from
    // scratch, unless a stem cell's runtime started with just that.
    const fits = (s: Container) =>
      s.life.state === "stem" &&
      stemCellFits(spec, { memoryMb: s.memoryMb, startEnv: s.life.startEnv, resizable: !!this.can.resizing });
    // A stem cell runs a Stratus runtime, never an image's own: image functions start from scratch.
    const stem = spec.image ? undefined : stemKey(spec.runtime, spec.ephemeralStorageMb);
    const placed = choosePlacement(this.containers.list(), key, stem, fits, Date.now());
    if (placed.kind === "warm") {
      this.containers.send(placed.entry, { type: "claim" });
      try {
        await this.containers.wake(placed.entry);
        return { c: placed.entry };
      } catch (err) {
        // It cannot run again (its engine refused to thaw it): gone, and another found.
        this.log.warn("could not thaw a warm container", { requestId, container: placed.entry.id, err });
        void this.containers.remove(placed.entry);
        return this.claim(spec, requestId);
      }
    }
    const image = this.scratchImage(spec);
    if (spec.image) {
      const claimed = await this.startScratch(spec, key, image, requestId);
      this.metrics.coldStarts.inc({ runtime: "image", kind: "scratch" });
      return claimed;
    }
    const since = performance.now();
    if (placed.kind === "stem" && (await this.stems.specialise(placed.entry, spec, key, requestId))) {
      this.metrics.coldStarts.inc({ runtime: spec.runtime, kind: "stem_cell" });
      return { c: placed.entry, cold: { kind: "stem_cell", since } };
    }
    const claimed = await this.startScratch(spec, key, image, requestId);
    this.metrics.coldStarts.inc({ runtime: spec.runtime, kind: "scratch" });
    return claimed;
  }

  /** The image a container of `spec` starts from scratch with: its own, or its runtime's. */
  private scratchImage(spec: InvokeSpec): string {
    if (spec.image) return spec.image.uri;
    const runtime = runtimes[spec.runtime as keyof typeof runtimes];
    if (!runtime) throw errors.invalidParameter(`Runtime ${spec.runtime} is not available on this node`);
    return runtime.image;
  }

  private async startScratch(spec: InvokeSpec, key: string, image: string, requestId: string): Promise<Claimed> {
    if (!this.containers.makeRoom(spec.memoryMb, { stems: true })) {
      throw errors.capacity(`Node ${this.config.nodeId} has no room for ${spec.memoryMb} MB`);
    }
    const c = this.containers.reserve(key, spec.memoryMb, ownerOf(spec));
    const since = await this.launchClaimed(c, spec, image, requestId, "on-demand");
    return { c, cold: { kind: "scratch", since } };
  }

  /**
   * Creates and starts `c`, reserved for `spec`, from `image`, and claims it; returns
   * since when (performance.now()) its start counts. On failure `c` is removed and the
   * error thrown as the caller's (an image's entrypoint that cannot run: the function's).
   * `requestId`: the invocation it starts for, if one is.
   */
  private async launchClaimed(
    c: Container,
    spec: InvokeSpec,
    image: string,
    requestId: string | undefined,
    initialization: InitializationType,
  ): Promise<number> {
    if (spec.image) c.image = image;
    const bound = this.api.expectContainer();
    let since: number;
    try {
      const owner = ownerLabels(this.config.nodeId);
      const identity = (this.config.identity ?? noIdentity)(spec);
      if (identity.retireAt !== undefined) c.retireAt = identity.retireAt;
      const net = this.config.network;
      const made = spec.image
        ? imageSpec(spec, await this.imageOf(spec), net, this.api.address, owner, identity.env, initialization)
        : await this.zipSpec(spec, image, owner, identity.env, initialization);
      c.logStream = made.env.AWS_LAMBDA_LOG_STREAM_NAME;
      const launched = await this.containers.launch(c, made, spec.runtime);
      this.api.bind(launched.ip, c.session, launched.since);
      since = launched.since;
    } catch (err) {
      void this.containers.remove(c);
      if (spec.image && badEntrypoint(err)) {
        // The engine could not exec the image's entrypoint: the function's fault, as in Lambda.
        const message = (err as Error).message.replace(/^\(HTTP code \d+\) [a-z ]+ - /, "");
        const error = `Error: ${message}`;
        throw new StratusError(
          "Runtime.InvalidEntrypoint",
          200,
          "function",
          requestId ? `RequestId: ${requestId} ${error}` : error,
        );
      }
      this.log.error("container start failed", { requestId, function: spec.functionName, err });
      throw err instanceof StratusError
        ? err
        : errors.service(`Could not start a container: ${(err as Error).message}`);
    } finally {
      bound();
    }
    this.containers.send(c, { type: "claim" });
    return since;
  }

  /** A zip function's container spec: its code and layers unpacked on this node. */
  private async zipSpec(
    spec: InvokeSpec,
    image: string,
    owner: Record<string, string>,
    identity: Record<string, string>,
    initialization: InitializationType,
  ) {
    const [codeDir, optDir] = await Promise.all([
      this.code.dirFor(spec.codeSha256Hex),
      this.layers.dirFor(spec.layerSha256Hex),
    ]);
    const { network } = this.config;
    return scratchSpec(spec, image, codeDir, optDir, network, this.api.address, owner, identity, initialization);
  }

  /**
   * Starts a container of provisioned set `setId` from scratch (never a stem cell: its
   * runtime starts knowing it is provisioned), pinned to the set from the start, and
   * resolves once its runtime has reached /next and it is handed back idle (frozen
   * while idle as any idle container is). Throws, the container removed, when the node
   * has no room, the engine fails, or the init fails or runs past its limit. Its memory
   * and its pin are taken before the first await: a reconciliation just after sees them.
   */
  async startProvisioned(setId: string, spec: InvokeSpec): Promise<void> {
    if (this.closed) throw errors.service(`Node ${this.config.nodeId} is closing`);
    const refused = spec.image ? undefined : this.code.refusal(spec.codeSha256Hex);
    if (refused) throw refused;
    const image = this.scratchImage(spec);
    if (!this.containers.makeRoom(spec.memoryMb, { stems: true })) {
      throw errors.capacity(`no room on node ${this.config.nodeId} for ${spec.memoryMb} MB`);
    }
    const c = this.containers.reserve(poolKey(spec), spec.memoryMb, ownerOf(spec));
    c.pinned = setId;
    await this.launchClaimed(c, spec, image, undefined, "provisioned-concurrency");
    try {
      await untilInitialised(c, initLimitMs(spec));
    } catch (err) {
      void this.containers.remove(c);
      throw err;
    } finally {
      // Its start is over: the engine's held-back work may go ahead.
      this.can.preparesAhead?.settled(c.id);
    }
    this.containers.release(c);
  }

  /** The live containers pinned to a provisioned set, any set. */
  pinned(): Container[] {
    return pinnedOf(this.containers.list());
  }

  /** Pins up to `max` idle containers of `spec`'s version that no set holds (warmest first) to set `setId`; how many. */
  adopt(setId: string, spec: InvokeSpec, max: number): number {
    const taken = adoptable(this.containers.list(), poolKey(spec), Date.now()).slice(0, max);
    for (const c of taken) c.pinned = setId;
    return taken.length;
  }

  /** Unpins `c`: an idle one is removed at once, a busy one is an ordinary warm container from now on. */
  unpin(c: Container): void {
    delete c.pinned;
    if (c.life.state === "idle") void this.containers.remove(c);
  }

  /** An image function's image on this node (pulled once per digest); a pull that fails is the function's error. */
  private async imageOf(spec: InvokeSpec) {
    const uri = spec.image?.uri as string;
    if (!this.images) throw errors.service(`Node ${this.config.nodeId} cannot run image functions`);
    try {
      return await this.images.ensure(uri, `${spec.accountId}/${spec.functionName}`);
    } catch (err) {
      if (err instanceof ImageProblem) throw new StratusError(`Image.${err.code}`, 200, "function", err.message);
      throw err;
    }
  }

  /** Pulls `ref` onto this node ahead of its first cold start (the control plane asks before a function goes Active). */
  async pullImage(ref: string): Promise<ImageInfo> {
    if (!this.images) throw errors.service(`Node ${this.config.nodeId} cannot run image functions`);
    return this.images.ensure(ref);
  }

  /** Removes the function images no container runs that are no longer used (node-images.ts). */
  async sweepImages(): Promise<string[]> {
    if (!this.images) return [];
    const inUse = new Set<string>();
    for (const c of this.containers.list()) if (c.image && c.life.state !== "gone") inUse.add(c.image);
    return this.images.sweep(inUse).catch((err: Error) => {
      this.log.warn(`function image sweep failed: ${err.message}`);
      return [];
    });
  }

  /**
   * Removes the containers of what `r` says can no longer be invoked (a function or
   * version deleted, $LATEST's old revisions): idle ones now, busy ones as their
   * invocation ends. Returns how many it retired. A deleted function's images go
   * once no container runs them.
   */
  retire(r: Retirement): number {
    const count = this.containers.retire((owner) => retires(r, owner));
    if (r.version === undefined && this.images) {
      this.images.forgetUser(`${r.accountId}/${r.functionName}`);
      void this.containers.settled().then(() => this.sweepImages());
    }
    return count;
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

  /** How many of `functionName`'s idle containers are frozen now (a benchmark times a thaw from one). */
  runtimesFrozen(functionName: string, accountId?: string): number {
    return this.containers.count((c) => this.containers.isFrozen(c) && runsFunction(c, functionName, accountId));
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
    this.closed = true;
    this.provisioned.close();
    clearInterval(this.reaper);
    const stemsSettled = this.stems.close();
    await this.containers.removeAll();
    // A stem cell still being created removes itself once its create returns.
    await stemsSettled;
    await this.containers.settled();
  }
}
