// The node's containers, one record each from reservation to removal. The pool and
// the stem-cell keeper decide what to start, use and evict; this class does the
// effects: reserve a placeholder (so concurrent starts see its memory before any
// await), launch it (create, attach its output, start, watch its exit), move it
// between lifecycle states, and remove it (unbind its address, delete the container
// and a stem cell's directory). A container whose runtime dies is reported to its
// session as an OOM kill (and counted) or an exit. The exit claims the death at
// once, before the engine has told whether it was an OOM kill: a timeout that falls
// in between must not be blamed for it. Processes the runtime outlives can be
// OOM-killed too: the pool asks after each invocation (newOomKills), and they are
// counted then. Where the engine counts those from is watched: a node that cannot
// count them exactly says so once in its log and in a gauge, rather than silently
// reporting none.
import { randomUUID } from "node:crypto";
import { type Logger, runtimes } from "@stratus/shared";
import type { ContainerBackend, ContainerSpec, MemoryStats, OomKillSource } from "../backend/container-backend.js";
import { ContainerLog } from "../logs/container-log.js";
import { DEGRADED_OOM_SOURCES, type InvokerMetrics } from "../metrics.js";
import type { RuntimeApiServer } from "../runtime-api/runtime-api-server.js";
import { Session } from "../runtime-api/session.js";
import { type Container, ownerMetricLabels, type PoolStats, poolStats } from "./container.js";
import type { ContainerState } from "./decisions.js";
import { nextState } from "./decisions.js";

export interface ContainersDeps {
  config: { network: string; logBytesPerInvocation: number };
  backend: ContainerBackend;
  /** Where OOM kills are counted; without it, the node cannot count them. */
  memory: MemoryStats | undefined;
  api: RuntimeApiServer;
  /** Where stem cells' directories are removed from (stem-dirs.ts). */
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

/** Said once per node, the first time OOM kills are counted from each source other than the cgroups. */
const OOM_SOURCE_WARNINGS: Record<(typeof DEGRADED_OOM_SOURCES)[number], string> = {
  engine_events:
    "OOM detection degraded: cannot read the containers' memory cgroups (see STRATUS_CGROUP_ROOT); " +
    "OOM kills of processes a runtime outlives are counted from the engine's oom events, which can come " +
    "after the invocation they belong to (stratus_oom_detection_degraded)",
  none:
    "OOM detection degraded: can read neither the containers' memory cgroups (see STRATUS_CGROUP_ROOT) " +
    "nor the engine's oom events; OOM kills of processes a runtime outlives go uncounted and unreported " +
    "(stratus_oom_detection_degraded)",
};

/** Whether `c` is a live container (started, not being removed) running `functionName` (of `accountId`, if given). */
export function runsFunction(c: Container, functionName: string, accountId?: string): boolean {
  return (
    c.owner?.functionName === functionName &&
    (!accountId || c.owner.accountId === accountId) &&
    c.state !== "removing" &&
    !c.id.startsWith("pending-")
  );
}

export class Containers {
  private readonly all = new Map<string, Container>();
  private readonly removals = new Set<Promise<void>>();
  private readonly oomSourcesWarned = new Set<OomKillSource>();

  constructor(private readonly deps: ContainersDeps) {}

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

  /** A placeholder entry that holds its memory before any await, so concurrent starts see it. */
  reserve(key: string, memoryMb: number): Container {
    const c: Container = {
      id: `pending-${randomUUID()}`,
      key,
      state: "starting",
      memoryMb,
      lastUsed: Date.now(),
      session: new Session(),
    };
    this.all.set(c.id, c);
    return c;
  }

  /**
   * Creates, attaches to and starts `c`'s container, which runs `runtime`; returns its
   * address, and when it was started (launchedAt: the Runtime API binds it with that).
   */
  async launch(c: Container, spec: ContainerSpec, runtime: string): Promise<{ ip: string; launchedAt: number }> {
    const { backend, config } = this.deps;
    const id = await backend.create(spec);
    if (c.state === "removing") {
      // Removed (shutdown, eviction) while being created: nothing else knows this id.
      await backend.remove(id).catch(() => undefined);
      throw new Error("container removed while starting");
    }
    this.all.delete(c.id);
    c.id = id;
    this.all.set(id, c);
    const { stdout, stderr } = await backend.attach(id);
    c.log = new ContainerLog([stdout, stderr], config.logBytesPerInvocation, { markers: printsLogMarkers(runtime) });
    const launchedAt = performance.now();
    c.startedAt = launchedAt;
    c.launchedAt = launchedAt;
    const { ip } = await backend.start(id, config.network);
    c.ip = ip;
    this.watchExit(c);
    return { ip, launchedAt };
  }

  setState(c: Container, to: ContainerState): void {
    c.state = nextState(c.state, to);
  }

  /** Removes containers chosen to make room (capacity) or expired (idle), counting each. */
  evict(victims: Container[], reason: "capacity" | "idle"): void {
    for (const victim of victims) {
      this.deps.metrics.evictions.inc({ reason });
      void this.remove(victim);
    }
  }

  /**
   * Takes `c` out of the pool at once and deletes its container; one that has exited
   * only once the engine has told whether it was an OOM kill (it tells from the container).
   */
  remove(c: Container): Promise<void> {
    if (c.state === "removing") return Promise.resolve();
    c.state = "removing";
    const destroy = () => this.destroy(c);
    const removal = (c.exited ? c.exited.then(destroy, destroy) : destroy()).finally(() =>
      this.removals.delete(removal),
    );
    this.removals.add(removal);
    return removal;
  }

  /** Removes every container there is now. */
  async removeAll(): Promise<void> {
    await Promise.all(this.list().map((c) => this.remove(c)));
  }

  /** Resolves once every removal under way has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.removals]);
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

  /**
   * How many processes of `c` the kernel has OOM-killed since the last look, counted
   * in the metric; 0 when the engine cannot tell (the container is gone: its exit
   * tells; or the node has no way to count them, which noteOomSource reports).
   */
  async newOomKills(c: Container): Promise<number> {
    const { memory } = this.deps;
    const counted = memory ? await memory.oomKills(c.id).catch(() => undefined) : { source: "none" as const };
    if (counted === undefined) return 0;
    this.noteOomSource(counted.source);
    if (counted.source === "none") return 0;
    const fresh = Math.max(0, counted.kills - (c.oomKillsSeen ?? 0));
    c.oomKillsSeen = counted.kills;
    if (fresh > 0 && c.owner) this.deps.metrics.oomKills.inc(ownerMetricLabels(c.owner), fresh);
    return fresh;
  }

  /** Sets the degraded-detection gauge to `source`, and warns the first time of each degraded one. */
  private noteOomSource(source: OomKillSource): void {
    for (const fallback of DEGRADED_OOM_SOURCES) {
      this.deps.metrics.oomDetectionDegraded.set({ fallback }, source === fallback ? 1 : 0);
    }
    if (source === "cgroup" || this.oomSourcesWarned.has(source)) return;
    this.oomSourcesWarned.add(source);
    this.deps.log.warn(OOM_SOURCE_WARNINGS[source]);
  }

  private watchExit(c: Container): void {
    this.deps.backend.wait(c.id).then(
      async (exit) => {
        // Its address may be handed to a new container at once (one not in a network
        // sandbox frees it as it exits), before the removal below gets to run.
        if (c.ip) {
          this.deps.api.unbind(c.ip, c.session);
          if (c.stem) this.deps.api.unbindStem(c.ip, c.stem.gate);
        }
        // The runtime is gone: its exit, not a timer running out meanwhile, says why.
        const claimed = c.death === undefined && c.session.state !== "dead";
        if (claimed) c.death = "crash";
        c.exited = exit.oomKilled;
        if (c.state === "idle" || c.state === "stem") void this.remove(c);
        // A backend that cannot tell says no OOM.
        const oomKilled = await exit.oomKilled.catch(() => false);
        // Counted here, not per invocation: a process left running after its answer can
        // be killed too. Not if the pool has counted kills in this container already: it
        // retires a container at its first, so this is the same one (the runtime killed
        // just after it answered) or what followed from it.
        if (oomKilled && c.owner && !c.oomKillsSeen) this.deps.metrics.oomKills.inc(ownerMetricLabels(c.owner));
        if (claimed) {
          c.death = oomKilled ? "oom" : "crash";
          c.session.die(
            oomKilled
              ? { errorType: "Runtime.OutOfMemory", errorMessage: "Runtime exited with error: signal: killed" }
              : {
                  errorType: "Runtime.ExitError",
                  errorMessage: `Runtime exited with error: exit status ${exit.exitCode}`,
                },
          );
        }
        // It became idle or a stem cell while the engine was telling.
        if (c.state === "idle" || c.state === "stem") void this.remove(c);
      },
      () => undefined,
    );
  }

  private async destroy(c: Container): Promise<void> {
    const { api, backend, stemDirs, log } = this.deps;
    c.session.die({ errorType: "Runtime.ExitError", errorMessage: "Container removed" });
    c.stem?.gate.close();
    if (c.ip) {
      api.unbind(c.ip, c.session);
      if (c.stem) api.unbindStem(c.ip, c.stem.gate);
    }
    try {
      if (!c.id.startsWith("pending-")) await backend.remove(c.id);
      if (c.stem) await stemDirs.remove(c.stem.dir);
    } catch (err) {
      log.warn(`could not remove container ${c.id.slice(0, 12)}`, err);
    } finally {
      this.all.delete(c.id);
    }
    this.deps.onRemoved();
  }
}
