// What containers hold on the host, read from the kernel instead of from MemAvailable
// (which moves with everything else on the machine): each container's memory cgroup
// (the pages and kernel memory charged to it), its containerd shim's proportional set
// size (PSS: pages shared with the other shims counted in shares), and the engine's
// (dockerd and containerd) PSS, whose growth is read before and after.
import { readdirSync, readFileSync } from "node:fs";
import type Docker from "dockerode";

const MIB = 2 ** 20;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The bytes charged to the memory cgroup `pid` is in (cgroup v1's usage, or v2's memory.current). */
function cgroupBytes(pid: number): number {
  const lines = (read(`/proc/${pid}/cgroup`) ?? "").split("\n");
  const v1 = lines.find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  const v2 = lines.find((l) => l.startsWith("0::"));
  const file = v1
    ? `/sys/fs/cgroup/memory${v1.split(":")[2]}/memory.usage_in_bytes`
    : `/sys/fs/cgroup${v2?.slice(3) ?? "/"}/memory.current`;
  const bytes = Number(read(file));
  if (!Number.isFinite(bytes)) throw new Error(`no memory cgroup reading for process ${pid} (${file})`);
  return bytes;
}

/** A process' proportional set size, bytes (0 once it has gone). */
function pssBytes(pid: number): number {
  const kb = /^Pss:\s+(\d+) kB/m.exec(read(`/proc/${pid}/smaps_rollup`) ?? "")?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

function parentOf(pid: number): number {
  const stat = read(`/proc/${pid}/stat`) ?? "";
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** PSS of the engine's processes (dockerd, containerd), MiB. */
export function engineMib(): number {
  let bytes = 0;
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const comm = read(`/proc/${pid}/comm`)?.trim();
    if (comm === "dockerd" || comm === "containerd") bytes += pssBytes(pid);
  }
  return bytes / MIB;
}

export interface ContainersMemory {
  /** Summed over the containers, MiB: their cgroups' charge, and their shims' PSS. */
  cgroupMib: number;
  shimMib: number;
}

/** What the containers `ids` hold: their cgroups' charge and their shims' PSS. */
export async function containersMemory(docker: Docker, ids: string[]): Promise<ContainersMemory> {
  let cgroup = 0;
  let shim = 0;
  for (const id of ids) {
    const pid = (await docker.getContainer(id).inspect()).State.Pid;
    if (!pid) throw new Error(`container ${id.slice(0, 12)} is not running`);
    cgroup += cgroupBytes(pid);
    shim += pssBytes(parentOf(pid));
  }
  return { cgroupMib: cgroup / MIB, shimMib: shim / MIB };
}
