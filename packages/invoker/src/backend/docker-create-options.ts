// How every function container is created on Docker (docker-backend.ts): the hardened
// options its header lists, sized to the function's memory. One place, so that the
// benchmark's engine floor (tests/bench/cold-start.ts) creates its containers as a
// node does.
import { engineImageRef } from "@stratus/shared";
import type Docker from "dockerode";
import type { ContainerSpec } from "./container-backend.js";

const MB = 1024 * 1024;
/** Lambda gives one full vCPU at 1,769 MB. */
const MB_PER_VCPU = 1769;

/** The memory cap and CPU of a container of `memoryMb`, at create and on resize alike. */
export function sizing(memoryMb: number) {
  const memory = memoryMb * MB;
  return {
    Memory: memory,
    MemorySwap: memory,
    // CPU in proportion to memory (1 vCPU at 1,769 MB) as a scheduling weight, so
    // functions share a busy node by memory size; the hard cap never drops below
    // one core, because a CFS quota of a fraction of a core stalls a small
    // function for most of each 100 ms period (tens of ms of added latency).
    CpuShares: Math.max(2, Math.round((memoryMb / MB_PER_VCPU) * 1024)),
    NanoCpus: Math.round(Math.min(Math.max(memoryMb / MB_PER_VCPU, 1), 6) * 1e9),
  };
}

/**
 * A cgroup namespace of its own: an engine on cgroup v1 defaults to the host's, which
 * shows a container the host's cgroup paths (/docker/<id>). (Engine API 1.41; not in
 * dockerode's types.)
 */
/** Processes and threads a function's container may have at once: Lambda's figure. */
export const FUNCTION_PIDS_LIMIT = 1024;

export const OWN_CGROUP_NAMESPACE = { CgroupnsMode: "private" };

/** The Engine API's create options for `spec`, joined to `networkMode` (a network, or `container:<id>` of a sandbox). */
export function containerCreateOptions(spec: ContainerSpec, networkMode: string): Docker.ContainerCreateOptions {
  return {
    ...(spec.name ? { name: spec.name } : {}),
    // A local image function's pinned name is run by its image ID.
    Image: engineImageRef(spec.image),
    User: "10001:10001",
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: spec.labels,
    ...(spec.args ? { Cmd: spec.args } : {}),
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    ...(spec.workingDir || spec.codeDir ? { WorkingDir: spec.workingDir ?? "/var/task" } : {}),
    NetworkDisabled: false,
    HostConfig: {
      NetworkMode: networkMode,
      // Docker's init (tini) is PID 1: it reaps the orphans a function leaves and forwards signals.
      Init: true,
      ...sizing(spec.memoryMb),
      MemorySwappiness: 0,
      OomKillDisable: false,
      PidsLimit: FUNCTION_PIDS_LIMIT,
      ...OWN_CGROUP_NAMESPACE,
      Ulimits: [
        { Name: "nofile", Soft: 1024, Hard: 1024 },
        { Name: "core", Soft: 0, Hard: 0 },
      ],
      CapDrop: ["ALL"],
      CapAdd: [],
      Privileged: false,
      SecurityOpt: ["no-new-privileges:true"],
      ReadonlyRootfs: true,
      // exec, as in Lambda: functions run binaries they unpack into /tmp (Docker defaults to noexec).
      Tmpfs: { "/tmp": `rw,exec,nosuid,nodev,size=${spec.ephemeralStorageMb}m` },
      Binds: [
        ...(spec.codeDir ? [`${spec.codeDir}:/var/task:ro`] : []),
        ...(spec.optDir ? [`${spec.optDir}:/opt:ro`] : []),
      ],
      PortBindings: {},
      PublishAllPorts: false,
      RestartPolicy: { Name: "no" },
      AutoRemove: false,
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "1" } },
    },
  };
}
