// A node's capacity bounded by the host's process table. Every function container may
// hold FUNCTION_PIDS_LIMIT processes and threads, and its engine's shim a few more;
// a node whose memory capacity admits more containers than the host's task limits
// (kernel.pid_max, kernel.threads-max) can hold could have the host's table filled by
// one tenant's fork bombs, and then the engine, the invoker and everything else on the
// host could start no process or thread. Such a node takes fewer containers, and says
// why. Each node counts the host as its own (one invoker per host).
import { readFileSync } from "node:fs";
import path from "node:path";
import { FUNCTION_PIDS_LIMIT } from "../backend/docker-create-options.js";

/** What one container may take of the host's tasks: its own limit, and its containerd shim's threads. */
export const TASKS_PER_CONTAINER = FUNCTION_PIDS_LIMIT + 16;
/** Tasks left for everything else on the host: the engine, the platform, Postgres, Redis, network sandboxes. */
export const HOST_TASK_RESERVE = 2048;
/** Lambda's smallest memory size: the most containers a capacity admits is capacityMb over it. */
const SMALLEST_MEMORY_MB = 128;

export interface HostTaskLimits {
  /** kernel.pid_max: the highest process id, so the most processes and threads at once. */
  pidMax: number;
  /** kernel.threads-max: the most threads (processes count as one each) the kernel allows. */
  threadsMax: number;
}

/** The host's task limits from `proc` (its /proc); undefined when they cannot be read. */
export function readHostTaskLimits(proc = "/proc"): HostTaskLimits | undefined {
  const read = (name: string) => Number(readFileSync(path.join(proc, "sys/kernel", name), "utf8").trim());
  try {
    const limits = { pidMax: read("pid_max"), threadsMax: read("threads-max") };
    return Number.isInteger(limits.pidMax) && Number.isInteger(limits.threadsMax) ? limits : undefined;
  } catch {
    return undefined;
  }
}

/** A capacity lowered to what the host's tasks hold, and the figures that lowered it. */
export interface TaskBoundCapacity {
  capacityMb: number;
  /** The most containers the host's tasks hold beside its own processes. */
  containers: number;
  /** The host's task limit: the lower of pid_max and threads-max. */
  tasks: number;
}

/**
 * `capacityMb` lowered so that its containers, each of the smallest memory size, fit
 * in the host's tasks beside the reserve; undefined when it fits already (or the
 * limits are unknown, so nothing can be said).
 */
export function boundByHostTasks(
  capacityMb: number,
  limits: HostTaskLimits | undefined,
): TaskBoundCapacity | undefined {
  if (!limits) return undefined;
  const tasks = Math.min(limits.pidMax, limits.threadsMax);
  const containers = Math.max(1, Math.floor((tasks - HOST_TASK_RESERVE) / TASKS_PER_CONTAINER));
  const bound = containers * SMALLEST_MEMORY_MB;
  return bound < capacityMb ? { capacityMb: bound, containers, tasks } : undefined;
}

/** The warning a node bound by its host's tasks logs at start. */
export function hostTasksWarning(asked: number, bound: TaskBoundCapacity): string {
  return (
    `capacity lowered from ${asked} MB to ${bound.capacityMb} MB: the host's task limit ` +
    `(kernel.pid_max and kernel.threads-max, the lower ${bound.tasks}) holds ${bound.containers} containers of ` +
    `${TASKS_PER_CONTAINER} processes and threads each beside ${HOST_TASK_RESERVE} for the host, and more could ` +
    "let one tenant's fork bombs fill the host's process table; raise kernel.pid_max " +
    "(sysctl -w kernel.pid_max=4194304) to use the whole capacity"
  );
}
