// Counters of a container's own cgroups, read on every invocation: its peak memory
// (the REPORT line's Max Memory Used), how many of its processes the kernel has
// OOM-killed (a process the runtime started can be killed while the runtime carries
// on), and how many forks it refused at the container's process limit. Each file is opened once per container, as it starts (a stem
// cell's long before its first invocation), and re-read in place
// (one pread, no open/stat/close through the thread pool each time), and closed when
// the container is removed. Paths cover cgroup v1 and v2, with Docker's cgroupfs or
// systemd driver. A counter that cannot be read tells why: the container's cgroup
// is gone (its file opened, then failed to read: the container has exited), or it
// is unreadable (no file opened: the cgroups are not where this node looks, or not
// visible from here at all, as for an invoker in a container without the host's
// cgroups mounted; or the kernel does not keep that counter).
import { closeSync, openSync, readSync } from "node:fs";

const MB = 1024 * 1024;

/** Why a container's counter was not read (see above). */
export type Unread = "gone" | "unreadable";

/** One counter file per container, found at the first of its candidate paths that opens. */
class CgroupCounter {
  /** Per container, its open counter file, or "gone" once a read of it failed. */
  private readonly fds = new Map<string, number | "gone">();
  private readonly buf: Buffer;

  constructor(
    private readonly paths: (id: string) => string[],
    private readonly parse: (text: string) => number | undefined,
    bufferBytes: number,
  ) {
    this.buf = Buffer.alloc(bufferBytes);
  }

  /** The counter of container `id`, or why it cannot be read. */
  read(id: string): number | Unread {
    let fd = this.fds.get(id);
    if (fd === "gone") return fd;
    if (fd === undefined) {
      fd = this.open(id);
      if (fd === undefined) return "unreadable";
      this.fds.set(id, fd);
    }
    try {
      const n = readSync(fd, this.buf, 0, this.buf.length, 0);
      return this.parse(this.buf.toString("latin1", 0, n)) ?? "unreadable";
    } catch {
      this.close(id);
      this.fds.set(id, "gone");
      return "gone";
    }
  }

  /** Opens `id`'s counter file ahead of its first read (its container has just started), where it can. */
  prime(id: string): void {
    if (this.fds.has(id)) return;
    const fd = this.open(id);
    if (fd !== undefined) this.fds.set(id, fd);
  }

  /** Closes `id`'s counter file and forgets the container (it has been removed). */
  forget(id: string): void {
    this.close(id);
    this.fds.delete(id);
  }

  private close(id: string): void {
    const fd = this.fds.get(id);
    if (typeof fd !== "number") return;
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }

  private open(id: string): number | undefined {
    for (const file of this.paths(id)) {
      try {
        return openSync(file, "r");
      } catch {
        // not this cgroup layout
      }
    }
    return undefined;
  }
}

/** A container's memory cgroup directories: v1 (cgroupfs, systemd), then v2 (systemd, cgroupfs). */
const v1 = (root: string, id: string) => [
  `${root}/memory/docker/${id}`,
  `${root}/memory/system.slice/docker-${id}.scope`,
];
const v2 = (root: string, id: string) => [`${root}/system.slice/docker-${id}.scope`, `${root}/docker/${id}`];
/** Its pids cgroup directories under v1 (cgroupfs, systemd). */
const v1Pids = (root: string, id: string) => [
  `${root}/pids/docker/${id}`,
  `${root}/pids/system.slice/docker-${id}.scope`,
];

/** Peak memory in MB: v1's memory.max_usage_in_bytes, v2's memory.peak. */
export class PeakMemoryFiles extends CgroupCounter {
  /** cgroupRoot: where the cgroup filesystem is mounted (v1 memory controller or v2). */
  constructor(cgroupRoot: string) {
    super(
      (id) => [
        ...v1(cgroupRoot, id).map((d) => `${d}/memory.max_usage_in_bytes`),
        ...v2(cgroupRoot, id).map((d) => `${d}/memory.peak`),
      ],
      (text) => (/^\d+\s*$/.test(text) ? Math.ceil(Number(text) / MB) : undefined),
      32,
    );
  }
}

/**
 * Processes OOM-killed so far: the oom_kill line of v1's memory.oom_control (Linux
 * 4.13 on) or of v2's memory.events. The kernel counts a kill as it chooses the
 * victim, before the victim is gone, so a runtime that answers after a process it
 * waited for was killed finds the kill counted.
 */
export class OomKillFiles extends CgroupCounter {
  constructor(cgroupRoot: string) {
    super(
      (id) => [
        ...v1(cgroupRoot, id).map((d) => `${d}/memory.oom_control`),
        ...v2(cgroupRoot, id).map((d) => `${d}/memory.events`),
      ],
      (text) => {
        const m = /^oom_kill (\d+)$/m.exec(text);
        return m ? Number(m[1]) : undefined;
      },
      256,
    );
  }
}

/**
 * Forks (processes or threads) the kernel refused the container for its process
 * limit (PidsLimit) so far: the max line of pids.events, v1's pids controller or v2.
 */
export class ForkRefusalFiles extends CgroupCounter {
  constructor(cgroupRoot: string) {
    super(
      (id) => [...v1Pids(cgroupRoot, id), ...v2(cgroupRoot, id)].map((d) => `${d}/pids.events`),
      (text) => {
        const m = /^max (\d+)$/m.exec(text);
        return m ? Number(m[1]) : undefined;
      },
      64,
    );
  }
}
