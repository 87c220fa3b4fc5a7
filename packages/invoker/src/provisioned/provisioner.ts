// The node's side of provisioned concurrency (@stratus/shared provisioned.ts): the
// sets of containers the control plane wants kept initialised here, and the
// reconciliation that keeps them so, on each PUT of the whole desired state and on
// a timer. A set's containers are pinned to it: warm containers like any other for
// its invocations, but never reaped while idle nor evicted to make room. Too few:
// idle ones of its version are adopted, then new ones started (a few at a time on
// the node; a set whose start failed is tried again no sooner than RETRY_AFTER_MS).
// Too many, or the set dropped: the extras are unpinned, the idle ones removed.
import {
  type InvokeSpec,
  type Logger,
  type ProvisionedReport,
  type ProvisionedSet,
  type ProvisionedSetReport,
  type ProvisionedState,
  provisionedSets,
  StratusError,
} from "@stratus/shared";
import type { Gauge } from "prom-client";
import type { Container } from "../containers/container.js";
import { poolKey } from "../containers/container-env.js";
import { extras, initialised } from "./pinning.js";

/** Provisioned containers being started at once on the node, all sets together: the engine is not swamped. */
export const MAX_STARTS = 2;
/** A set whose start failed is not tried again sooner than this. */
export const RETRY_AFTER_MS = 5_000;

/** What the provisioner needs of the pool (container-pool.ts). */
export interface ProvisionedPool {
  /** The live containers pinned to a set, any set (pinning.ts pinnedOf). */
  pinned(): Container[];
  /** Pins up to `max` idle, unpinned containers of `spec`'s version to set `setId`; how many it pinned. */
  adopt(setId: string, spec: InvokeSpec, max: number): number;
  /** Unpins `c`: removed at once if idle, an ordinary warm container from now on if not. */
  unpin(c: Container): void;
  /** Starts a container of set `setId`, pinned from the start; resolves once it is initialised and idle, throws if not. */
  startProvisioned(setId: string, spec: InvokeSpec): Promise<void>;
}

export interface ProvisionerDeps {
  /** stratus_provisioned_containers: ready containers by function version. */
  gauge?: Pick<Gauge<"account" | "function" | "version">, "reset" | "inc">;
  log: Pick<Logger, "warn">;
}

/** How a set's starts have gone since one last succeeded. */
interface SetHealth {
  failures: number;
  lastError?: string;
  /** Epoch ms before which the set starts nothing (after a failure). */
  retryAt: number;
}

/** What a failed start says of itself, for the report. */
function reasonOf(err: unknown): string {
  if (err instanceof StratusError && err.kind === "function") return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export class Provisioner {
  private desired = new Map<string, ProvisionedSet>();
  private readonly health = new Map<string, SetHealth>();
  private starting = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pool: ProvisionedPool,
    private readonly deps: ProvisionerDeps,
  ) {
    this.timer = setInterval(() => this.reconcile(), provisionedSets.intervalMs);
    this.timer.unref();
  }

  /** Takes `state` as the node's whole desired state, reconciles, and reports every set of it. */
  apply(state: ProvisionedState): ProvisionedReport {
    this.desired = new Map(state.sets.map((s) => [s.id, s]));
    for (const id of this.health.keys()) if (!this.desired.has(id)) this.health.delete(id);
    this.reconcile();
    return this.report();
  }

  /** Each desired set: how many of its containers are ready, and how its starts have gone. */
  report(): ProvisionedReport {
    const held = this.heldBySet();
    return { sets: [...this.desired.values()].map((s) => this.reportOf(s.id, held.get(s.id) ?? [])) };
  }

  /** Brings the pinned containers in line with the desired state: unpins, adopts and starts. */
  reconcile(): void {
    if (this.closed) return;
    const held = this.heldBySet(true);
    const wanting: Array<{ set: ProvisionedSet; missing: number }> = [];
    for (const set of this.desired.values()) {
      const mine = held.get(set.id) ?? [];
      if (mine.length > set.count) for (const c of extras(mine, mine.length - set.count)) this.pool.unpin(c);
      if (mine.length >= set.count) continue;
      const missing = set.count - mine.length - this.pool.adopt(set.id, set.spec, set.count - mine.length);
      if (missing > 0 && Date.now() >= this.healthOf(set.id).retryAt) wanting.push({ set, missing });
    }
    // A start for each set in turn, while the node takes more.
    while (this.starting < MAX_STARTS && wanting.some((w) => w.missing > 0)) {
      for (const w of wanting) {
        if (w.missing === 0 || this.starting >= MAX_STARTS) continue;
        w.missing--;
        this.start(w.set);
      }
    }
    this.showReady();
  }

  /** Starts nothing more; what is pinned stays so until the pool is closed. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /**
   * The live pinned containers of each desired set. `release`: those pinned to a set
   * no longer desired, or to an earlier spec of one (another version key), are unpinned.
   */
  private heldBySet(release = false): Map<string, Container[]> {
    const keys = new Map([...this.desired.values()].map((s) => [s.id, poolKey(s.spec)]));
    const held = new Map<string, Container[]>();
    for (const c of this.pool.pinned()) {
      const id = c.pinned as string;
      if (keys.get(id) !== c.key) {
        if (release) this.pool.unpin(c);
        continue;
      }
      const list = held.get(id);
      if (list) list.push(c);
      else held.set(id, [c]);
    }
    return held;
  }

  private start(set: ProvisionedSet): void {
    this.starting++;
    const health = this.healthOf(set.id);
    this.pool
      .startProvisioned(set.id, set.spec)
      .then(
        () => {
          health.failures = 0;
          health.retryAt = 0;
          delete health.lastError;
        },
        (err: unknown) => {
          // Stopped meanwhile: the node is going, and its containers with it.
          if (this.closed) return;
          health.failures++;
          health.lastError = reasonOf(err);
          health.retryAt = Date.now() + RETRY_AFTER_MS;
          this.deps.log.warn("provisioned container did not start", {
            set: set.id,
            function: set.spec.functionName,
            version: set.spec.version,
            reason: health.lastError,
          });
        },
      )
      .finally(() => {
        this.starting--;
        // Its place among the starts is free: the next one goes now, not at the next tick.
        this.reconcile();
      });
  }

  private healthOf(id: string): SetHealth {
    let h = this.health.get(id);
    if (!h) {
      h = { failures: 0, retryAt: 0 };
      this.health.set(id, h);
    }
    return h;
  }

  private reportOf(id: string, held: readonly Container[]): ProvisionedSetReport {
    const { failures, lastError } = this.health.get(id) ?? { failures: 0 };
    const ready = held.filter(initialised).length;
    return lastError === undefined ? { id, ready, failures } : { id, ready, failures, lastError };
  }

  /** Sets the gauge of ready containers by function version (two sets of one version add up). */
  private showReady(): void {
    const { gauge } = this.deps;
    if (!gauge) return;
    const held = this.heldBySet();
    gauge.reset();
    for (const { id, spec } of this.desired.values()) {
      const labels = { account: spec.accountId, function: spec.functionName, version: spec.version };
      gauge.inc(labels, (held.get(id) ?? []).filter(initialised).length);
    }
  }
}
