// The interface between the pool and a container engine: a core that every engine
// has, and capabilities an engine may add, each an interface of its own that the pool
// looks for once (capabilitiesOf) and does without when absent. docker-backend.ts
// implements them all (the only importer of dockerode), fake-backend.ts in memory;
// testing/backend-conformance.ts holds both to the core's contract.
import type { Readable } from "node:stream";

export interface ContainerSpec {
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  memoryMb: number;
  ephemeralStorageMb: number;
  /**
   * Host directory holding the function's code, mounted read-only at /var/task (and
   * the working directory); absent for an image function, whose image holds its code.
   */
  codeDir?: string;
  /** Replaces the image's ENTRYPOINT (an image function's ImageConfig.EntryPoint). */
  entrypoint?: string[];
  /** Replaces the image's WORKDIR (ImageConfig.WorkingDirectory); absent: /var/task with code, else the image's own. */
  workingDir?: string;
  /** Host directory holding the function's layers merged, mounted read-only at /opt; absent: none. */
  optDir?: string;
  network: string;
  /**
   * Join a network sandbox made ahead (a namespace on `network`) when one is ready,
   * instead of waiting for a namespace of its own: for containers on the cold path.
   * The container then also shares the sandbox's hostname.
   */
  netSandbox?: boolean;
  /** Arguments to the image's entrypoint (a stem cell starts its runtime client in stem mode). */
  args?: string[];
  /** The container's name, unique on the engine; absent: the engine picks one. */
  name?: string;
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

/** Labels every Stratus container and network carries: made by Stratus, and by which node. */
export const MANAGED_LABEL = "stratus.managed";
export const NODE_LABEL = "stratus.node";

/** What every engine does: run a container from creation to removal, and find the ones it owns. */
export interface ContainerBackend {
  /** Creates a container (not started); returns its id. */
  create(spec: ContainerSpec): Promise<string>;
  /** The container's stdout and stderr, which end when it stops; attach before start to miss nothing. */
  attach(id: string): Promise<{ stdout: Readable; stderr: Readable }>;
  /** Starts the container and returns its address on the functions' network. */
  start(id: string, network: string): Promise<{ ip: string }>;
  /**
   * Resolves as soon as the container stops, its removal included, with its exit
   * code and (to follow) whether it was OOM-killed; a SIGKILL of the removal's own is not.
   */
  wait(id: string): Promise<ContainerExit>;
  /**
   * Stops and deletes the container; succeeds if it is already gone. An exit's OOM
   * verdict is settled first: removing a container never cuts short what the engine
   * tells of how it stopped.
   */
  remove(id: string): Promise<void>;
  /** Ids of all containers carrying these labels (running or not). */
  listByLabels(labels: Record<string, string>): Promise<string[]>;
}

/** Where a node counts its containers' OOM kills: only "cgroup" is exact and prompt. */
export type OomKillSource = "cgroup" | "engine_events" | "none";

export type OomKillCount = { source: "cgroup" | "engine_events"; kills: number } | { source: "none" };

/** Capability: what the engine measures of a container's memory. */
export interface MemoryStats {
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
}

/** Capability: what the kernel refused a container for its process limit (PidsLimit). */
export interface ProcessLimit {
  /**
   * Forks (of processes or threads) refused the container so far because it had as
   * many as its limit allows; undefined when the engine cannot tell (or it is gone).
   */
  forkRefusals(id: string): Promise<number | undefined>;
}

/** Capability: a running container's memory cap (memory = memory+swap) and the CPU that goes with it can change. */
export interface Resizing {
  resize(id: string, memoryMb: number): Promise<void>;
}

/**
 * Capability: a container's name can change while it runs (its labels cannot: a stem
 * cell is named for its function once specialised).
 */
export interface Naming {
  rename(id: string, name: string): Promise<void>;
  nameOf(id: string): Promise<string>;
}

/**
 * Capability: a container's processes can be frozen (they get no CPU, as Lambda's
 * idle environments) and thawed. A frozen container can still be removed.
 */
export interface Freezing {
  freeze(id: string): Promise<void>;
  thaw(id: string): Promise<void>;
}

/** Capability: the environment a container's first process started with. */
export interface StartEnvironment {
  /** Its image's variables under the spec's own (what a process started in it reads at start). */
  environment(id: string): Promise<Record<string, string>>;
}

/** Capability: the engine makes things ready ahead of need (network sandboxes). */
export interface PreparesAhead {
  /**
   * The container started by `start` has run its first invocation (or failed to):
   * background work held back so as not to compete with its cold start may go ahead.
   */
  settled(id: string): void;
  /** Whether the engine is still making ready what it keeps ahead of need. */
  preparing(): boolean;
}

/** What an image holds that its containers start from. */
export interface ImageInfo {
  /** The engine's image ID (`sha256:<hex>`). */
  id?: string;
  sizeBytes?: number;
  /** GOARCH of the image (amd64, arm64...). */
  architecture?: string;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
}

/** Capability: the engine pulls, inspects and removes images (image functions). */
export interface Images {
  /**
   * Pulls `ref` from its registry with `auth` if given; throws ImageProblem when the
   * registry says the image is not there (ImageDeleted) or refuses (ImageAccessDenied).
   */
  pullImage(ref: string, auth?: { username: string; password: string; serveraddress: string }): Promise<void>;
  /** The image's own config; undefined when the engine does not have it. */
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  /** Removes the image by `ref` (never forced: one a container uses stays); false when it could not. */
  removeImage(ref: string): Promise<boolean>;
}

/** The optional capabilities of one engine, each present only when the engine has it whole. */
export interface Capabilities {
  memory?: MemoryStats;
  processLimit?: ProcessLimit;
  resizing?: Resizing;
  environment?: StartEnvironment;
  preparesAhead?: PreparesAhead;
  naming?: Naming;
  freezing?: Freezing;
  images?: Images;
}

/** Whether `backend` has a function for each of `methods`. */
function has<T>(backend: ContainerBackend, ...methods: (keyof T)[]): T | undefined {
  const all = methods.every((m) => typeof (backend as unknown as Record<keyof T, unknown>)[m] === "function");
  return all ? (backend as unknown as T) : undefined;
}

/** The capabilities `backend` has, asked once by the pool. */
export function capabilitiesOf(backend: ContainerBackend): Capabilities {
  return {
    memory: has<MemoryStats>(backend, "maxMemoryMb", "oomKills"),
    processLimit: has<ProcessLimit>(backend, "forkRefusals"),
    resizing: has<Resizing>(backend, "resize"),
    environment: has<StartEnvironment>(backend, "environment"),
    preparesAhead: has<PreparesAhead>(backend, "settled", "preparing"),
    naming: has<Naming>(backend, "rename", "nameOf"),
    freezing: has<Freezing>(backend, "freeze", "thaw"),
    images: has<Images>(backend, "pullImage", "inspectImage", "removeImage"),
  };
}

/** Capability of an engine the node runs on: the networks its containers join. */
export interface Networks {
  /**
   * Creates the network if missing (containers on it cannot reach each other) and
   * returns its gateway address and the name of its bridge on the host.
   */
  ensureNetwork(name: string, labels: Record<string, string>): Promise<{ gateway: string; bridge: string }>;
  /** Removes a network (by name or id); succeeds if it is already gone. */
  removeNetwork(name: string): Promise<void>;
}

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

/** Capability of an engine the node runs on: everything Stratus nodes made on it. */
export interface ManagedInventory {
  /** Every Stratus node's containers (running or not) and networks on this engine. */
  listManaged(): Promise<ManagedResource[]>;
}
