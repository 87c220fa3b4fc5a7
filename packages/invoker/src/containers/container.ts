// One container as the node keeps it (a PoolEntry for the pure decisions, plus its
// live parts: address, Runtime API session, log collector, stem-cell parts), whose
// function it runs, and the pool's summary statistics over them.
import type { InvokeSpec } from "@stratus/shared";
import { MANAGED_LABEL, NODE_LABEL } from "../backend/container-backend.js";
import type { ContainerLog } from "../logs/container-log.js";
import type { Outcome } from "../metrics.js";
import type { Session } from "../runtime-api/session.js";
import type { StemGate } from "../runtime-api/stem-gate.js";
import type { ContainerState, PoolEntry } from "./decisions.js";

/** Labels every container of node `nodeId` carries; orphans are found by them at start. */
export const ownerLabels = (nodeId: string) => ({ [MANAGED_LABEL]: "true", [NODE_LABEL]: nodeId });

/** Whose function (version) a container runs, for `Container.owner`. */
export const ownerOf = (spec: InvokeSpec): Owner => ({
  accountId: spec.accountId,
  functionName: spec.functionName,
  version: spec.version,
});

export interface Owner {
  accountId: string;
  functionName: string;
  version: string;
}

/** An owner as the labels of the per-function metrics. */
export const ownerMetricLabels = (o: Owner) => ({ account: o.accountId, function: o.functionName, version: o.version });

/**
 * A stem cell's own parts: its code directory, the gate its identity passes through,
 * and the environment its runtime started with (known before it is offered), which
 * decides the functions it can serve (stem-fit.ts).
 */
export interface StemParts {
  dir: string;
  gate: StemGate;
  startEnv?: Readonly<Record<string, string>>;
}

export interface Container extends PoolEntry {
  ip?: string;
  session: Session;
  log?: ContainerLog;
  /** performance.now() when the container was started (a specialised stem cell: when it was specialised). */
  startedAt?: number;
  /**
   * performance.now() just before its container was started: Runtime API connections
   * from its address opened before then are an earlier holder's (runtime-api-server.ts).
   */
  launchedAt?: number;
  /** Set until the first invocation has reported it. */
  initDurationMs?: number;
  /**
   * Why the runtime died (decides the outcome label), set by whichever saw the death
   * first: a timer that stopped it, or its exit ("crash" until the engine tells
   * whether it was "oom"). Set, it tells a timer that the death is not its to claim.
   */
  death?: Outcome;
  /** The engine's count of the container's OOM kills at the last look, all counted in the metric. */
  oomKillsSeen?: number;
  /** Once the runtime has exited: settles when the engine has told whether it was an OOM kill. */
  exited?: Promise<unknown>;
  /** Set on a container that began as a stem cell (its directory outlives specialisation). */
  stem?: StemParts;
  /** The runtime of a stem cell. */
  runtime?: string;
  /** Whose function the container runs, once it runs one (a specialised stem cell's labels cannot say). */
  owner?: Owner;
}

/**
 * Whether `c`'s runtime can serve no more: it died (its session says so) or was
 * stopped or exited (its death is claimed), even if it answered first.
 */
export function runtimeGone(c: Container): boolean {
  return c.session.state === "dead" || c.death !== undefined;
}

export interface PoolStats {
  byState: Record<ContainerState, number>;
  usedMb: number;
  /** Warm stem cells by runtime: started, and their runtime waiting for an identity. */
  stemCells: Record<string, number>;
}

export function poolStats(containers: Iterable<Container>): PoolStats {
  const byState: Record<ContainerState, number> = { starting: 0, stem: 0, idle: 0, busy: 0, removing: 0 };
  const stemCells: Record<string, number> = {};
  let usedMb = 0;
  for (const c of containers) {
    byState[c.state]++;
    if (c.state !== "removing") usedMb += c.memoryMb;
    if (c.state === "stem" && c.runtime && c.stem?.gate.polled) stemCells[c.runtime] = (stemCells[c.runtime] ?? 0) + 1;
  }
  return { byState, usedMb, stemCells };
}
