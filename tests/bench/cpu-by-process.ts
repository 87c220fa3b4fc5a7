// Where a benchmark row's CPU time goes, by kind of process: the load generator, the
// control plane, the invoker nodes, the functions' runtimes, Docker's engine
// (dockerd, containerd, the shims), Postgres and Redis. Read from /proc before and
// after the row (utime + stime of every process, all its threads; one that starts in
// between counts all its time, one that exits in between is missed), so a row can
// say what one invoke costs each part of the path.
import { readdirSync, readFileSync } from "node:fs";

/** The kinds of process, in the order a report lists them. */
export const PROCESS_KINDS = [
  "function runtimes",
  "invoker",
  "control plane",
  "load generator",
  "postgres",
  "redis",
  "docker engine",
  "other",
] as const;

export type ProcessKind = (typeof PROCESS_KINDS)[number];

/** Which processes are the platform's own; everything else is told by its command name. */
export interface KnownPids {
  controlPlane: number[];
  invokers: number[];
}

const ENGINE = new Set(["dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2", "docker-proxy", "runc"]);

/** CPU seconds of each live process, with its command name, from /proc/<pid>/stat. */
function snapshot(): Map<number, { comm: string; seconds: number }> {
  const tick = 100; // USER_HZ on Linux
  const out = new Map<number, { comm: string; seconds: number }>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    } catch {
      continue; // exited meanwhile
    }
    const open = stat.indexOf("(");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    // After the command: state is field 3, utime 14 and stime 15 (1-based), so 11 and 12 here.
    out.set(pid, { comm, seconds: (Number(fields[11]) + Number(fields[12])) / tick });
  }
  return out;
}

function kindOf(pid: number, comm: string, known: KnownPids): ProcessKind {
  if (pid === process.pid) return "load generator";
  if (known.controlPlane.includes(pid)) return "control plane";
  if (known.invokers.includes(pid)) return "invoker";
  if (ENGINE.has(comm) || comm.startsWith("containerd-shim")) return "docker engine";
  if (comm === "postgres") return "postgres";
  if (comm.startsWith("redis")) return "redis";
  // The runtimes' processes: node (nodejs images), python, the provided bootstrap.
  if (comm === "node" || comm.startsWith("python") || comm === "bootstrap") return "function runtimes";
  return "other";
}

/** Starts a measurement; the returned function ends it with CPU seconds by kind. */
export function measureCpuByProcess(known: KnownPids): () => Map<ProcessKind, number> {
  const before = snapshot();
  return () => {
    const after = snapshot();
    const byKind = new Map<ProcessKind, number>();
    for (const [pid, now] of after) {
      // One not there before (or its pid reused since) started during the measurement: all its time counts.
      const then = before.get(pid);
      const since = then && then.comm === now.comm ? then.seconds : 0;
      const kind = kindOf(pid, now.comm, known);
      byKind.set(kind, (byKind.get(kind) ?? 0) + (now.seconds - since));
    }
    return byKind;
  };
}
