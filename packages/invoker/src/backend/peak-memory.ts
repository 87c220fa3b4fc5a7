// A container's peak memory, read from its memory cgroup's own counter on every
// invocation's REPORT line. The counter file is opened once per container and
// re-read in place (one pread, no open/stat/close through the thread pool each time),
// and closed when the container is removed.
import { closeSync, openSync, readSync } from "node:fs";

const MB = 1024 * 1024;

export class PeakMemoryFiles {
  private readonly fds = new Map<string, number>();
  private readonly buf = Buffer.alloc(32);

  /** cgroupRoot: where the cgroup filesystem is mounted (v1 memory controller or v2). */
  constructor(private readonly cgroupRoot: string) {}

  /** Peak memory in MB of container `id`, or undefined if its cgroup cannot be read. */
  read(id: string): number | undefined {
    let fd = this.fds.get(id);
    if (fd === undefined) {
      fd = this.open(id);
      if (fd === undefined) return undefined;
      this.fds.set(id, fd);
    }
    try {
      const n = readSync(fd, this.buf, 0, this.buf.length, 0);
      const text = this.buf.toString("latin1", 0, n);
      return /^\d+\s*$/.test(text) ? Math.ceil(Number(text) / MB) : undefined;
    } catch {
      this.forget(id); // the cgroup is gone
      return undefined;
    }
  }

  forget(id: string): void {
    const fd = this.fds.get(id);
    if (fd === undefined) return;
    this.fds.delete(id);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }

  private open(id: string): number | undefined {
    for (const file of [
      `${this.cgroupRoot}/memory/docker/${id}/memory.max_usage_in_bytes`,
      // v1 with the systemd cgroup driver
      `${this.cgroupRoot}/memory/system.slice/docker-${id}.scope/memory.max_usage_in_bytes`,
      `${this.cgroupRoot}/system.slice/docker-${id}.scope/memory.peak`,
    ]) {
      try {
        return openSync(file, "r");
      } catch {
        // not this cgroup layout
      }
    }
    return undefined;
  }
}
