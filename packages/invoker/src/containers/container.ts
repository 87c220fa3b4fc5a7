// One container as the node keeps it: what the pool's pure decisions read (a
// PoolEntry, its state the coarse view of its life), its life (lifecycle.ts), and
// the parts it gains once each and keeps to its removal.
import type { InvokeSpec, RetirableOwner } from "@stratus/shared";
import { MANAGED_LABEL, NODE_LABEL } from "../backend/container-backend.js";
import type { ContainerLog } from "../logs/container-log.js";
import type { Session } from "../runtime-api/session.js";
import type { StemGate } from "../runtime-api/stem-gate.js";
import type { ContainerState, PoolEntry } from "./decisions.js";
import type { Life } from "./lifecycle.js";

/** Labels every container of node `nodeId` carries; orphans are found by them at start. */
export const ownerLabels = (nodeId: string) => ({ [MANAGED_LABEL]: "true", [NODE_LABEL]: nodeId });

/** Whose function (version, revision) a container runs, for `Container.owner`. */
export const ownerOf = (spec: InvokeSpec): Owner => ({
  accountId: spec.accountId,
  functionName: spec.functionName,
  version: spec.version,
  revisionId: spec.revisionId,
});

export type Owner = RetirableOwner;

/** An owner as the labels of the per-function metrics. */
export const ownerMetricLabels = (o: Owner) => ({ account: o.accountId, function: o.functionName, version: o.version });

/** A started container's address, when it was started, and its output. */
export interface Launched {
  ip: string;
  /**
   * performance.now() just before it was started: Runtime API connections from its
   * address opened before then are an earlier holder's (runtime-api-server.ts).
   */
  since: number;
  log: ContainerLog;
}

/**
 * What a container that began as a stem cell keeps: its code directory, the directory
 * it mounts at /opt (filled with the function's layers, if any), and the gate its
 * identity passes through.
 */
export interface StemParts {
  dir: string;
  optDir: string;
  gate: StemGate;
}

export interface Container extends PoolEntry {
  life: Life;
  readonly session: Session;
  /** Set once started. */
  launched?: Launched;
  /** Whose function it runs: set as it is reserved for one, or as a stem cell is specialised. */
  owner?: Owner;
  /** Set on a stem cell as it is created (its directory outlives specialisation). */
  stem?: StemParts;
  /** OOM kills in it counted in the metric so far (the pool retires it at the first). */
  oomKillsCounted: number;
  /**
   * What it runs can no longer be invoked (deleted, or replaced by a new revision)
   * while it was busy: removed when its invocation ends instead of going back to idle.
   */
  retired?: true;
  /** Its execution environment's log stream (AWS_LAMBDA_LOG_STREAM_NAME), once it runs a function. */
  logStream?: string;
  /** When it was last handed back (performance.now()): a freeze is for the latest release only. */
  releasedAt?: number;
  /** The image it runs, for an image function (pinned by digest): its runtime client is the image's own. */
  image?: string;
}

/** Whether `c` is a live container (created, not being removed) running `functionName` (of `accountId`, if given). */
export function runsFunction(c: Container, functionName: string, accountId?: string): boolean {
  return (
    c.owner?.functionName === functionName &&
    (!accountId || c.owner.accountId === accountId) &&
    c.state !== "removing" &&
    !c.id.startsWith("pending-")
  );
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
    if (c.life.state === "stem" && c.stem?.gate.polled) {
      stemCells[c.life.runtime] = (stemCells[c.life.runtime] ?? 0) + 1;
    }
  }
  return { byState, usedMb, stemCells };
}
