// Keeps the node's reserve of stem cells (stem-cells.ts): starts the ones missing
// from each runtime's target, in the background, evicting idle containers for them
// (a small fixed reserve of capacity; busy containers are never given up), and
// hands one over to a function's cold start. A stem cell that fails on the way is
// destroyed, never offered again.
import type { InvokeSpec } from "@stratus/shared";
import { type Logger, runtimes } from "@stratus/shared";
import type { Capabilities } from "../backend/container-backend.js";
import type { CodeCache } from "../code/code-cache.js";
import type { LayerSets } from "../code/layer-sets.js";
import { type Container, ownerLabels, ownerOf } from "../containers/container.js";
import { functionContainerName } from "../containers/container-names.js";
import type { Containers } from "../containers/containers.js";
import { stemKey, stemsToCreate } from "../containers/decisions.js";
import { type IdentityFor, noIdentity } from "../containers/function-identity.js";
import type { RuntimeApiServer } from "../runtime-api/runtime-api-server.js";
import { StemGate } from "../runtime-api/stem-gate.js";
import type { StemCellConfig } from "./stem-cells.js";
import { specialise, stemSpec } from "./stem-cells.js";
import type { StemDirs } from "./stem-dirs.js";

export interface StemKeeperConfig {
  nodeId: string;
  network: string;
  capacityMb: number;
  stemCells: StemCellConfig;
  /** What a container gets to call AWS services as its function (function-identity.ts); none when absent. */
  identity?: IdentityFor;
}

export interface StemKeeperDeps {
  config: StemKeeperConfig;
  containers: Containers;
  can: Capabilities;
  api: RuntimeApiServer;
  code: CodeCache;
  layers: LayerSets;
  stemDirs: StemDirs;
  log: Pick<Logger, "warn">;
}

/** Longest a taken stem cell waits for its follow-up (its name, its replacement) if its first invocation runs on. */
const FOLLOW_UP_AFTER_MS = 1_000;

export class StemKeeper {
  /** Stem cells being created, awaited at close. */
  private readonly launches = new Set<Promise<void>>();
  /** The follow-ups of stem cells taken for a cold start whose first invocation has not answered, by container id. */
  private readonly followUps = new Map<string, () => void>();
  private closed = false;

  constructor(private readonly deps: StemKeeperDeps) {}

  /**
   * Names a specialised stem cell for its function (container-names.ts), after the
   * fact and off the invocation's path: its labels, fixed at create, name no function.
   */
  private nameForFunction(c: Container, spec: InvokeSpec): void {
    const { can, log } = this.deps;
    can.naming?.rename(c.id, functionContainerName(ownerOf(spec))).catch((err: Error) => {
      if (c.life.state !== "removing" && c.life.state !== "gone") {
        log.warn("could not name a specialised stem cell for its function", { container: c.id.slice(0, 12), err });
      }
    });
  }

  /** Stem cell `c`'s first invocation has answered: it is named for its function and replaced now (once). */
  answered(c: Container): void {
    const followUp = this.followUps.get(c.id);
    if (!followUp) return;
    this.followUps.delete(c.id);
    followUp();
  }

  /** Starts the stem cells missing from each runtime's target, evicting idle containers for them if need be. */
  replenish(): void {
    if (this.closed) return;
    const { config, containers } = this.deps;
    const cfg = config.stemCells;
    for (const runtime of cfg.runtimes) {
      const n = stemsToCreate(
        containers.list(),
        stemKey(runtime, cfg.ephemeralStorageMb),
        cfg.perRuntime,
        cfg.memoryMb,
        config.capacityMb,
      );
      for (let i = 0; i < n; i++) {
        if (!containers.makeRoom(cfg.memoryMb, { stems: false })) break;
        const launch: Promise<void> = this.start(runtime).finally(() => this.launches.delete(launch));
        this.launches.add(launch);
      }
    }
  }

  /**
   * Binds the stem cell to `spec` for good, claimed for its invocation; false (and the
   * stem destroyed) if that fails. `requestId`: the invocation it starts for, named in the log.
   */
  async specialise(c: Container, spec: InvokeSpec, key: string, requestId: string): Promise<boolean> {
    const { config, containers, can, api, code, layers, stemDirs, log } = this.deps;
    // The stem's own memory is reused, so it does not count while making room.
    if (!c.stem || !c.launched || !containers.makeRoom(spec.memoryMb, { stems: true, except: c })) return false;
    // Taken before any await, with the function's key and memory reserved.
    containers.send(c, { type: "specialise" });
    const stemMb = c.memoryMb;
    c.key = key;
    c.owner = ownerOf(spec);
    c.memoryMb = spec.memoryMb;
    c.lastUsed = Date.now();
    // Its replacement is started, and it is named for its function, once its first
    // invocation has answered (`answered`), not beside it: a container start and a
    // rename take the engine and much of a small node's CPU. A long first invocation
    // waits no longer than FOLLOW_UP_AFTER_MS.
    let specialised = false;
    const fallback = setTimeout(() => this.answered(c), FOLLOW_UP_AFTER_MS);
    fallback.unref();
    this.followUps.set(c.id, () => {
      clearTimeout(fallback);
      if (specialised) this.nameForFunction(c, spec);
      this.replenish();
    });
    try {
      const { ip, since } = c.launched;
      const identity = (config.identity ?? noIdentity)(spec);
      if (identity.retireAt !== undefined) c.retireAt = identity.retireAt;
      c.logStream = await specialise(
        {
          resizing: can.resizing,
          api,
          dirs: stemDirs,
          codeDirFor: (sha) => code.dirFor(sha),
          layersDirFor: (digests) => layers.dirFor(digests),
          identity: identity.env,
        },
        { id: c.id, ip, since, parts: c.stem, session: c.session, memoryMb: stemMb },
        spec,
      );
      // Its runtime exited meanwhile, or it is being removed: never hand it on.
      if (c.life.state !== "specialising") throw new Error(`it was ${c.life.state} by the end`);
      containers.send(c, { type: "claim" });
      specialised = true;
      return true;
    } catch (err) {
      log.warn("stem cell failed to specialise; starting from scratch", {
        requestId,
        container: c.id.slice(0, 12),
        err,
      });
      void containers.remove(c);
      return false;
    }
  }

  /** Whether stem cells are missing (with room for them), being created, or booting (not yet waiting for an identity). */
  preparing(): boolean {
    if (this.launches.size > 0) return true;
    const { config, containers } = this.deps;
    const cfg = config.stemCells;
    const list = containers.list();
    if (list.some((c) => c.life.state === "stem" && !c.stem?.gate.polled)) return true;
    return cfg.runtimes.some(
      (runtime) =>
        stemsToCreate(list, stemKey(runtime, cfg.ephemeralStorageMb), cfg.perRuntime, cfg.memoryMb, config.capacityMb) >
        0,
    );
  }

  /** Stops replenishing at once; resolves when the stem cells still being created have settled. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.all([...this.launches]).then(() => undefined);
  }

  /** Creates and starts one stem cell of `runtime`, then offers it (parked). */
  private async start(runtime: string): Promise<void> {
    const { config, containers, can, api, stemDirs, log } = this.deps;
    const info = runtimes[runtime as keyof typeof runtimes];
    const cfg = config.stemCells;
    if (!info) return;
    const c = containers.reserve(stemKey(runtime, cfg.ephemeralStorageMb), cfg.memoryMb);
    const bound = api.expectContainer();
    let startEnv: Record<string, string> | undefined;
    try {
      const [dir, optDir] = await Promise.all([stemDirs.create(), stemDirs.create()]);
      c.stem = { dir, optDir, gate: new StemGate() };
      const owner = ownerLabels(config.nodeId);
      const { ip, since } = await containers.launch(
        c,
        stemSpec(info.image, runtime, cfg, { task: dir, opt: optDir }, config.network, api.address, owner),
        runtime,
      );
      api.bindStem(ip, c.stem.gate, since);
      // Its image's variables as well as the spec's: what its runtime read as it started.
      startEnv = await can.environment?.environment(c.id);
    } catch (err) {
      if (c.life.state !== "removing" && c.life.state !== "gone")
        log.warn("could not start a stem cell", { runtime, err });
      void containers.remove(c);
      return;
    } finally {
      bound();
    }
    // Removed while it started (shutdown, eviction), or its runtime exited meanwhile: never offer it.
    if (c.life.state !== "starting") return void containers.remove(c);
    c.lastUsed = Date.now();
    containers.send(c, { type: "parked", runtime, startEnv });
  }
}
