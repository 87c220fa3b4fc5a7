// The narrow interface between the pool and a container engine. docker-backend.ts
// implements it with dockerode (the only importer of dockerode); a Kubernetes
// backend can implement the same later.
import type { Readable } from "node:stream";

export interface ContainerSpec {
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  memoryMb: number;
  ephemeralStorageMb: number;
  /** Host directory holding the function's code, mounted read-only at /var/task. */
  codeDir: string;
  network: string;
  /**
   * Join a network sandbox made ahead (a namespace on `network`) when one is ready,
   * instead of waiting for a namespace of its own: for containers on the cold path.
   * The container then also shares the sandbox's hostname.
   */
  netSandbox?: boolean;
  /** Arguments to the image's entrypoint (a stem cell starts its runtime client in stem mode). */
  args?: string[];
}

export interface ContainerExit {
  exitCode: number;
  /**
   * Whether the kernel killed it for exceeding its memory cap. The engine may learn
   * that only after the exit, so this settles later: within a few seconds, false
   * when the engine cannot tell.
   */
  oomKilled: Promise<boolean>;
}

/** Where a node counts its containers' OOM kills: only "cgroup" is exact and prompt. */
export type OomKillSource = "cgroup" | "engine_events" | "none";

export type OomKillCount = { source: "cgroup" | "engine_events"; kills: number } | { source: "none" };

/** Labels every Stratus container and network carries: made by Stratus, and by which node. */
export const MANAGED_LABEL = "stratus.managed";
export const NODE_LABEL = "stratus.node";

/** A container or network of some Stratus node on this engine (labelled stratus.managed). */
export interface ManagedResource {
  kind: "container" | "network";
  /** Container id, or network id. */
  id: string;
  /** The node that made it (its stratus.node label). */
  node: string;
  /** When the engine created it (epoch ms). */
  createdAt: number;
}

export interface ContainerBackend {
  /** Creates the functions' network if missing and returns its gateway address. */
  ensureNetwork(name: string, labels: Record<string, string>): Promise<{ gateway: string }>;
  /** Removes a network (by name or id); succeeds if it is already gone. */
  removeNetwork(name: string): Promise<void>;
  create(spec: ContainerSpec): Promise<string>;
  /** Starts the container and returns its address on the functions' network. */
  start(id: string, network: string): Promise<{ ip: string }>;
  /**
   * The container started by `start` has run its first invocation (or failed to):
   * background work held back so as not to compete with its cold start may go ahead.
   */
  settled?(id: string): void;
  /** Whether the engine is still making ready what it keeps ahead of need (network sandboxes). */
  preparing?(): boolean;
  /**
   * The environment the container's first process was started with: its image's
   * variables under the spec's own (what a process started in it reads at start).
   */
  environment(id: string): Promise<Record<string, string>>;
  /** Changes a running container's memory cap (memory = memory+swap) and the CPU that goes with it. */
  resize(id: string, memoryMb: number): Promise<void>;
  /** The container's stdout and stderr; attach before start to miss nothing. */
  attach(id: string): Promise<{ stdout: Readable; stderr: Readable }>;
  /** Peak memory use of the container so far, in MB, if the engine reports it. */
  maxMemoryMb(id: string): Promise<number | undefined>;
  /**
   * How many of the container's processes the kernel has OOM-killed so far (its
   * runtime, or any process it started), and where that count comes from;
   * undefined if the container is gone. From its memory cgroup, a kill is counted
   * before the killed process is gone, so a read made once the runtime has answered
   * counts every kill its answer could have waited for; from the engine's events,
   * a kill can be counted a little late. Source "none": this node cannot count them.
   */
  oomKills(id: string): Promise<OomKillCount | undefined>;
  /** Resolves as soon as the container stops, with its exit code (and, to follow, whether it was OOM-killed). */
  wait(id: string): Promise<ContainerExit>;
  /** Stops and deletes the container; succeeds if it is already gone. */
  remove(id: string): Promise<void>;
  /** Ids of all containers carrying these labels (running or not). */
  listByLabels(labels: Record<string, string>): Promise<string[]>;
  /** Every Stratus node's containers (running or not) and networks on this engine. */
  listManaged(): Promise<ManagedResource[]>;
  /** Releases what the backend keeps ahead of need (after every container is removed). */
  close(): Promise<void>;
}
