// The node's containers, one record each from reservation to removal, and the one
// place their lives change: every event, whoever sends it, goes through send(),
// which moves the container along its lifecycle (lifecycle.ts) and does what
// entering the new state takes (a dead runtime's session is closed, a container
// being removed is deleted). Also here: reserving a container (a placeholder whose
// memory counts before any await), launching it, and watching its exit.
import { randomUUID } from "node:crypto";
import { type Logger, runtimes } from "@stratus/shared";
import type { ContainerBackend, ContainerSpec, Freezing, MemoryStats } from "../backend/container-backend.js";
import { ContainerLog } from "../logs/container-log.js";
import type { InvokerMetrics } from "../metrics.js";
import type { RuntimeApiServer } from "../runtime-api/runtime-api-server.js";
import { Session } from "../runtime-api/session.js";
import { type Container, type Launched, type Owner, type PoolStats, poolStats, runsFunction } from "./container.js";
import { chooseEvictions } from "./decisions.js";
import { IdleFreezer } from "./idle-freezer.js";
import { type Life, type LifeEvent, poolState, transition } from "./lifecycle.js";
import { OomKills } from "./oom-kills.js";

/** How long a released container's runtime may take to come back to /next before it is frozen anyway. */
const PARK_WAIT_MS = 2_000;

/** Resolves once `c`'s runtime is parked on /next, or PARK_WAIT_MS after the call if it is not by then. */
function parkedOrLate(c: Container): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, PARK_WAIT_MS);
    timer.unref();
  });
  return Promise.race([c.session.parked(), late]).finally(() => clearTimeout(timer));
}

export interface ContainersDeps {
  config: { network: string; capacityMb: number; logBytesPerInvocation: number; freezeIdleAfterMs?: number };
  backend: ContainerBackend;
  /** Where idle containers are frozen; absent, they are not. */
  freezing: Freezing | undefined;
  /** Where OOM kills are counted; absent, the node cannot count them. */
  memory: MemoryStats | undefined;
  api: RuntimeApiServer;
  /** Where a stem cell's directory is removed (stem-dirs.ts). */
  stemDirs: { remove(dir: string): Promise<void> };
  metrics: InvokerMetrics;
  log: Pick<Logger, "warn">;
  /** Called after each removal: memory was freed, or a stem cell lost. */
  onRemoved: () => void;
}

/** Whether `runtime` runs a Stratus runtime client, which marks where each invocation's output ends. */
function printsLogMarkers(runtime: string): boolean {
  const info = runtimes[runtime as keyof typeof runtimes];
  // A custom runtime runs the function's own bootstrap.
  return info !== undefined && info.entry.kind !== "bootstrap";
}

export class Containers {
  readonly oomKills: OomKills;
  private readonly freezer: IdleFreezer;
  private readonly all = new Map<string, Container>();
  private readonly removals = new Map<Container, Promise<void>>();

  constructor(private readonly deps: ContainersDeps) {
    this.oomKills = new OomKills(deps);
    this.freezer = new IdleFreezer(
      deps.freezing,
      deps.config.freezeIdleAfterMs,
      deps.log,
      { freezes: deps.metrics.freezes },
      (c) => this.evict([c], "unfreezable"),
    );
  }

  /** A snapshot of every container record, in any state. */
  list(): Container[] {
    return [...this.all.values()];
  }

  /** How many container records match `test`, without a snapshot (cheap enough to poll). */
  count(test: (c: Container) => boolean): number {
    let n = 0;
    for (const c of this.all.values()) if (test(c)) n++;
    return n;
  }

  /** A placeholder, starting, that holds its memory before any await, so concurrent starts see it. */
  reserve(key: string, memoryMb: number, owner?: Owner): Container {
    const c: Container = {
      id: `pending-${randomUUID()}`,
      key,
      memoryMb,
      lastUsed: Date.now(),
      life: { state: "starting" },
      get state() {
        return poolState(this.life);
      },
      // What its runtime does, its session tells as it happens.
      session: new Session((signal) => this.send(c, signal)),
      owner,
      oomKillsCounted: 0,
    };
    this.all.set(c.id, c);
    return c;
  }

  /**
   * Creates, attaches to and starts `c`'s container, which runs `runtime` (empty for an
   * image function: its own client, which prints no Stratus log markers), and watches for its exit.
   */
  async launch(c: Container, spec: ContainerSpec, runtime: string): Promise<Launched> {
    const { backend, config } = this.deps;
    const id = await backend.create(spec);
    if (c.life.state !== "starting") {
      // Removed (shutdown, eviction) while being created: nothing else knows this id.
      await backend.remove(id).catch(() => undefined);
      throw new Error("container removed while starting");
    }
    this.all.delete(c.id);
    c.id = id;
    this.all.set(id, c);
    const { stdout, stderr } = await backend.attach(id);
    const log = new ContainerLog([stdout, stderr], config.logBytesPerInvocation, {
      markers: printsLogMarkers(runtime),
    });
    const since = performance.now();
    const { ip } = await backend.start(id, config.network);
    c.launched = { ip, since, log };
    this.watchExit(c);
    return c.launched;
  }

  /** Moves `c` along its lifecycle on `event` (throwing on an edge it does not allow), with what entering its new state takes. */
  send(c: Container, event: LifeEvent): Life {
    const before = c.life;
    c.life = transition(before, event);
    if (c.life === before) return c.life;
    if (c.life.state === "dead") c.session.close(c.life.failure);
    if (c.life.state === "removing") {
      const removal = this.destroy(c).finally(() => this.removals.delete(c));
      this.removals.set(c, removal);
    }
    return c.life;
  }

  /**
   * Evicts idle containers (and, if `opts.stems`, ready stem cells) so that
   * `neededMb` more fits, not counting `opts.except`; false, evicting nothing, when
   * even that would not make room.
   */
  makeRoom(neededMb: number, opts: { stems: boolean; except?: Container }): boolean {
    const entries = this.list().filter((c) => c !== opts.except);
    const victims = chooseEvictions(entries, neededMb, this.deps.config.capacityMb, { stems: opts.stems });
    if (victims) this.evict(victims, "capacity");
    return victims !== undefined;
  }

  /**
   * Hands `c` back after its invocation (or its caller gave up): idle and warm, or
   * removed if what it runs was retired meanwhile. Frozen once `logged` (its
   * invocation's log) has settled and the grace has passed.
   */
  release(c: Container, logged: Promise<unknown> = Promise.resolve()): void {
    // One whose credentials would expire during a next invocation is replaced instead.
    if (c.retired || (c.retireAt !== undefined && Date.now() >= c.retireAt)) {
      this.evict([c], "retired");
      return;
    }
    const releasedAt = performance.now();
    c.lastUsed = Date.now();
    c.releasedAt = releasedAt;
    this.send(c, { type: "release" });
    // Its grace before the freeze starts once its last invocation's log is complete
    // (nothing of the container is frozen while its output still drains) and its runtime
    // is back on /next, where Lambda freezes an environment: one frozen on its way there
    // would pay that trip as well as the thaw at its next event. A runtime that never
    // comes back is frozen anyway after PARK_WAIT_MS.
    Promise.all([logged, parkedOrLate(c)]).then(
      () => {
        if (c.life.state === "idle" && c.releasedAt === releasedAt) this.freezer.idle(c);
      },
      () => undefined,
    );
  }

  /** Whether `c`, idle, is frozen now. */
  isFrozen(c: Container): boolean {
    return this.freezer.isFrozen(c);
  }

  /** `c`, idle and just claimed, runs again (it was frozen while idle); throws if it cannot. */
  wake(c: Container): Promise<void> {
    return this.freezer.wake(c);
  }

  /**
   * Retires the containers running what `retired` says can no longer be invoked: the
   * idle ones are removed now, a busy one when its invocation ends. Returns how many.
   */
  retire(retired: (owner: Owner) => boolean): number {
    let count = 0;
    for (const c of this.list()) {
      // One being removed is going already.
      if (!c.owner || c.retired || c.state === "removing" || !retired(c.owner)) continue;
      count++;
      if (c.life.state === "idle") this.evict([c], "retired");
      else c.retired = true;
    }
    return count;
  }

  /** Removes containers chosen to make room (capacity), expired (idle) or retired, counting each. */
  evict(victims: Container[], reason: "capacity" | "idle" | "retired" | "unfreezable"): void {
    for (const victim of victims) {
      this.deps.metrics.evictions.inc({ reason });
      void this.remove(victim);
    }
  }

  /** Takes `c` out of the pool at once and deletes its container; resolves when it is gone. */
  remove(c: Container): Promise<void> {
    if (c.life.state !== "removing" && c.life.state !== "gone") this.send(c, { type: "remove" });
    return this.removals.get(c) ?? Promise.resolve();
  }

  /** Removes every container there is now. */
  async removeAll(): Promise<void> {
    await Promise.all(this.list().map((c) => this.remove(c)));
  }

  /** Resolves once every removal under way has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.removals.values()]);
  }

  stats(): PoolStats {
    return poolStats(this.all.values());
  }

  /** Live containers running `functionName` (of `accountId`, if given). */
  idsOf(functionName: string, accountId?: string): string[] {
    return this.list()
      .filter((c) => runsFunction(c, functionName, accountId))
      .map((c) => c.id);
  }

  /** Tells `c`'s lifecycle of its exit at once, and of the engine's verdict on it once it comes. */
  private watchExit(c: Container): void {
    this.deps.backend.wait(c.id).then(
      async ({ exitCode, oomKilled }) => {
        // Its address may be handed to a new container at once (one not in a network
        // sandbox frees it as it exits), before any removal gets to run.
        this.unbind(c);
        // An image whose entrypoint never asked for work has no runtime client (Runtime.InvalidEntrypoint).
        const noRuntimeClient = c.image !== undefined && c.session.readyAt === undefined;
        this.send(c, { type: "exit", exitCode, ...(noRuntimeClient ? { noRuntimeClient } : {}) });
        // A backend that cannot tell says no OOM.
        const verdict = await oomKilled.catch(() => false);
        this.oomKills.countExit(c, verdict);
        this.send(c, { type: "verdict", oomKilled: verdict });
      },
      () => undefined,
    );
  }

  /** Forgets `c`'s address in the Runtime API, if it is still `c`'s. */
  private unbind(c: Container): void {
    if (!c.launched) return;
    this.deps.api.unbind(c.launched.ip, c.session);
    if (c.stem) this.deps.api.unbindStem(c.launched.ip, c.stem.gate);
  }

  private async destroy(c: Container): Promise<void> {
    const { backend, stemDirs, log } = this.deps;
    c.session.close({ errorType: "Runtime.ExitError", errorMessage: "Container removed" });
    c.stem?.gate.close();
    this.unbind(c);
    try {
      await this.freezer.settle(c);
      // An exit's OOM verdict is settled before the container is deleted (the backend's contract).
      if (!c.id.startsWith("pending-")) await backend.remove(c.id);
      if (c.stem) await Promise.all([stemDirs.remove(c.stem.dir), stemDirs.remove(c.stem.optDir)]);
    } catch (err) {
      log.warn("could not remove container", { container: c.id.slice(0, 12), err });
    } finally {
      this.all.delete(c.id);
    }
    this.send(c, { type: "removed" });
    this.deps.onRemoved();
  }
}
