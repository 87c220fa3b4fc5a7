// Counting OOM kills in the metric, once each: a container's processes that the
// kernel killed while its runtime lives on are looked for after each invocation, and
// a runtime's own kill is told at its exit. Where the engine counts them from is
// watched: a node that cannot count them exactly says so once in its log and in a
// gauge, rather than silently reporting none.
import type { Logger } from "@stratus/shared";
import type { MemoryStats, OomKillCount, OomKillSource } from "../backend/container-backend.js";
import { DEGRADED_OOM_SOURCES, type InvokerMetrics } from "../metrics.js";
import { type Container, ownerMetricLabels } from "./container.js";

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

export interface OomKillsDeps {
  /** Absent, the node has no way to count kills. */
  memory: MemoryStats | undefined;
  metrics: InvokerMetrics;
  log: Pick<Logger, "warn">;
}

export class OomKills {
  private readonly warned = new Set<OomKillSource>();

  constructor(private readonly deps: OomKillsDeps) {}

  /**
   * How many processes of `c` the kernel has OOM-killed since the last look, counted
   * in the metric; 0 when the engine cannot tell (the container is gone: its exit
   * tells; or the node has no way to count them, which it reports).
   */
  async look(c: Container): Promise<number> {
    const { memory, metrics } = this.deps;
    const none: OomKillCount = { source: "none" };
    const counted = memory ? await memory.oomKills(c.id).catch(() => undefined) : none;
    if (counted === undefined) return 0;
    this.noteSource(counted.source);
    if (counted.source === "none") return 0;
    const fresh = Math.max(0, counted.kills - c.oomKillsCounted);
    c.oomKillsCounted = counted.kills;
    if (fresh > 0 && c.owner) metrics.oomKills.inc(ownerMetricLabels(c.owner), fresh);
    return fresh;
  }

  /**
   * Counts `c`'s exit when the engine says it was an OOM kill: here, not per
   * invocation, since a process left running after its answer can be killed too. Not
   * if kills in `c` were counted already: the pool retires a container at its first,
   * so this is the same one (the runtime killed just after it answered) or what followed.
   */
  countExit(c: Container, oomKilled: boolean): void {
    if (oomKilled && c.owner && c.oomKillsCounted === 0) this.deps.metrics.oomKills.inc(ownerMetricLabels(c.owner));
  }

  /** Sets the degraded-detection gauge to `source`, and warns the first time of each degraded one. */
  private noteSource(source: OomKillSource): void {
    for (const fallback of DEGRADED_OOM_SOURCES) {
      this.deps.metrics.oomDetectionDegraded.set({ fallback }, source === fallback ? 1 : 0);
    }
    if (source === "cgroup" || this.warned.has(source)) return;
    this.warned.add(source);
    this.deps.log.warn(OOM_SOURCE_WARNINGS[source]);
  }
}
