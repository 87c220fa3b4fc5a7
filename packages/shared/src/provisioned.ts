// Provisioned concurrency between the control plane and an invoker node: the control
// plane PUTs a node's whole desired state (every set of containers it should keep
// initialised, by function version), and the node answers how many of each are ready.
// A set missing from the state is released: its containers become ordinary warm ones.
import type { InvokeSpec } from "./internal-invoke.js";

export const provisionedSets = {
  /** PUT, with the internal token header; body `ProvisionedState`, answered `ProvisionedReport`. */
  path: "/internal/v1/provisioned",
  /** How often a control plane sends each node its state (and reads the report). */
  intervalMs: 2_000,
} as const;

/** Containers of one function version to keep started, initialised and never reaped while idle. */
export interface ProvisionedSet {
  /** Stable for as long as the control plane wants the set (its config and version). */
  id: string;
  spec: InvokeSpec;
  count: number;
}

export interface ProvisionedState {
  sets: ProvisionedSet[];
}

export interface ProvisionedSetReport {
  id: string;
  /** Containers of the set whose runtime has finished its init (on /next, or running an invocation since). */
  ready: number;
  /** Init failures since the set last had a container reach /next. */
  failures: number;
  /** Why the last start failed (the function's init error, or no room on the node). */
  lastError?: string;
}

export interface ProvisionedReport {
  sets: ProvisionedSetReport[];
}
