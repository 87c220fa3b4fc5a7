// Stem cells: prewarmed generic runtime containers, created hardened exactly like a
// function container but with a neutral memory cap, no function labels, an empty
// /var/task of their own, and the runtime client started in stem mode, parked on the
// specialise endpoint. Specialising one makes it one function version's container
// for good; any failure on the way destroys it.
import type { InvokeSpec } from "@stratus/shared";
import type { ContainerSpec, Resizing } from "../backend/container-backend.js";
import type { StemParts } from "../containers/container.js";
import { containerEnv, RUNTIME_DEFAULTS } from "../containers/container-env.js";
import type { RuntimeApiServer } from "../runtime-api/runtime-api-server.js";
import type { Session } from "../runtime-api/session.js";
import type { StemDirs } from "./stem-dirs.js";

export interface StemCellConfig {
  /** Ready stem cells to keep per runtime; 0 disables stem cells. */
  perRuntime: number;
  /** Runtimes whose images have a stem mode. */
  runtimes: readonly string[];
  /** The neutral memory cap of a stem cell (and what it counts against capacity). */
  memoryMb: number;
  /** /tmp size of a stem cell: fixed at create, so only functions of this size use one. */
  ephemeralStorageMb: number;
}

/** Runtimes whose runtime clients implement stem mode. */
export const STEM_RUNTIMES = ["nodejs20.x", "nodejs22.x", "nodejs24.x", "python3.11"] as const;

/** Lambda's default /tmp size: the shape of every stem cell. */
export const STEM_EPHEMERAL_MB = 512;

export const stemLabels = (runtime: string) => ({ "stratus.stem": runtime });

/**
 * Creation spec of a stem cell: nothing in it names a function. Its runtime starts
 * with the defaults a function container gets (TZ, LANG, PATH, LD_LIBRARY_PATH), so that what the
 * runtime fixes as it starts (the locale, for one) is what a container started from
 * scratch for a function that sets none of them would have fixed.
 */
export function stemSpec(
  image: string,
  runtime: string,
  config: StemCellConfig,
  dirs: { task: string; opt: string },
  network: string,
  apiAddress: string,
  ownerLabels: Record<string, string>,
): ContainerSpec {
  return {
    image,
    env: { ...RUNTIME_DEFAULTS, AWS_LAMBDA_RUNTIME_API: apiAddress },
    labels: { ...ownerLabels, ...stemLabels(runtime) },
    memoryMb: config.memoryMb,
    ephemeralStorageMb: config.ephemeralStorageMb,
    codeDir: dirs.task,
    // Every stem cell mounts a directory of its own at /opt, so that it can serve a function with layers.
    optDir: dirs.opt,
    network,
    args: ["--stem"],
  };
}

/**
 * Turns a running stem cell into `spec`'s container: its code and layers in the stem's own
 * directories, the function's memory cap, the session bound at its address, then the
 * handler and environment handed to its runtime. Returns its log stream's name (the
 * environment's AWS_LAMBDA_LOG_STREAM_NAME). Throws on any failure; the caller
 * destroys the container then.
 */
export async function specialise(
  deps: {
    /** Absent, only a function of the stem's own memory size can be given it (stemCellFits). */
    resizing: Resizing | undefined;
    api: RuntimeApiServer;
    dirs: StemDirs;
    codeDirFor: (sha: string) => Promise<string>;
    layersDirFor: (digests: readonly string[]) => Promise<string | undefined>;
    /** Its endpoint and credentials (function-identity.ts). */
    identity?: Record<string, string>;
  },
  c: { id: string; ip: string; since: number; parts: StemParts; session: Session; memoryMb: number },
  spec: InvokeSpec,
): Promise<string | undefined> {
  await Promise.all([
    deps.codeDirFor(spec.codeSha256Hex).then((from) => deps.dirs.populate(c.parts.dir, from)),
    deps
      .layersDirFor(spec.layerSha256Hex)
      .then((from) => (from ? deps.dirs.populate(c.parts.optDir, from) : undefined)),
    // A function of the stem's own size keeps the cap it was created with.
    spec.memoryMb === c.memoryMb ? undefined : deps.resizing?.resize(c.id, spec.memoryMb),
  ]);
  deps.api.bind(c.ip, c.session, c.since);
  const env = containerEnv(spec, deps.api.address, new Date(), deps.identity);
  c.parts.gate.give({ handler: spec.handler, env });
  return env.AWS_LAMBDA_LOG_STREAM_NAME;
}
