import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ForkRefusalFiles, OomKillFiles, PeakMemoryFiles } from "./cgroup-files.js";

const MB = 1024 * 1024;
let root: string;

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A cgroup v1 layout under a new root whose container "abc" has peaked at 10 MB: its directory and counter file. */
async function v1Peak() {
  root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
  const dir = path.join(root, "memory/docker/abc");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "memory.max_usage_in_bytes");
  await writeFile(file, `${10 * MB}\n`);
  return { dir, file };
}

describe("PeakMemoryFiles", () => {
  it("re-reads a cgroup v1 counter in place as it changes, and forgets it on removal", async () => {
    const { dir, file } = await v1Peak();
    const peaks = new PeakMemoryFiles(root);
    expect(peaks.read("abc")).toBe(10);
    // Rewritten in place (same inode), as the kernel's counter is: the open file sees it.
    await writeFile(file, `${25 * MB + 1}\n`);
    expect(peaks.read("abc")).toBe(26);
    peaks.forget("abc");
    await rm(dir, { recursive: true });
    expect(peaks.read("abc")).toBe("unreadable");
  });

  it("opens a started container's counter when primed, ahead of its first read", async () => {
    const { file } = await v1Peak();
    const peaks = new PeakMemoryFiles(root);
    peaks.prime("abc");
    peaks.prime("nope");
    // Unlinked after the priming: only the file opened then can still be read.
    await rm(file);
    expect(peaks.read("abc")).toBe(10);
    expect(peaks.read("nope")).toBe("unreadable");
    peaks.forget("abc");
  });

  it("reads cgroup v2's memory.peak, and nothing for an unknown container", async () => {
    root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
    const dir = path.join(root, "system.slice/docker-def.scope");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "memory.peak"), `${3 * MB}\n`);
    const peaks = new PeakMemoryFiles(root);
    expect(peaks.read("def")).toBe(3);
    expect(peaks.read("nope")).toBe("unreadable");
  });
});

describe("OomKillFiles", () => {
  it("reads cgroup v1's oom_kill count from memory.oom_control as it grows", async () => {
    root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
    const dir = path.join(root, "memory/docker/abc");
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, "memory.oom_control");
    await writeFile(file, "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
    const kills = new OomKillFiles(root);
    expect(kills.read("abc")).toBe(0);
    await writeFile(file, "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    expect(kills.read("abc")).toBe(2);
  });

  it.each([
    ["system.slice/docker-def.scope", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\noom_group_kill 0\n", 1],
    ["docker/def", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", 0],
    // A kernel before 4.13 has no count: it cannot be read.
    ["memory/docker/def", "oom_kill_disable 0\nunder_oom 0\n", "unreadable"],
  ])("reads %s", async (dir, text, count) => {
    root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
    await mkdir(path.join(root, dir), { recursive: true });
    const file = dir.startsWith("memory/") ? "memory.oom_control" : "memory.events";
    await writeFile(path.join(root, dir, file), text);
    expect(new OomKillFiles(root).read("def")).toBe(count);
  });

  it("cannot read a container's count where no cgroup of it is found (not mounted here, another layout)", async () => {
    root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
    expect(new OomKillFiles(root).read("nope")).toBe("unreadable");
  });

  it("tells a cgroup that is gone (its counter opened, its reads failing) from one never found, until forgotten", async () => {
    root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
    const dir = path.join(root, "memory/docker/abc");
    // A directory opens read-only but fails every read, as the files of a removed cgroup do.
    await mkdir(path.join(dir, "memory.oom_control"), { recursive: true });
    const kills = new OomKillFiles(root);
    expect(kills.read("abc")).toBe("gone");
    expect(kills.read("abc")).toBe("gone");
    kills.forget("abc");
    await rm(dir, { recursive: true });
    expect(kills.read("abc")).toBe("unreadable");
  });
});

describe("ForkRefusalFiles", () => {
  it.each([
    // v1's pids controller (cgroupfs, then systemd), then v2 (systemd, cgroupfs).
    ["pids/docker/def", "max 0\n", 0],
    ["pids/system.slice/docker-def.scope", "max 12\n", 12],
    ["system.slice/docker-def.scope", "max 3\n", 3],
    ["docker/def", "max 0\n", 0],
    ["pids/docker/def", "not a count\n", "unreadable"],
  ])("reads %s", async (dir, text, count) => {
    root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
    await mkdir(path.join(root, dir), { recursive: true });
    await writeFile(path.join(root, dir, "pids.events"), text);
    expect(new ForkRefusalFiles(root).read("def")).toBe(count);
  });

  it("reads the count again in place as the kernel raises it", async () => {
    root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
    const dir = path.join(root, "pids/docker/abc");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "pids.events"), "max 0\n");
    const refusals = new ForkRefusalFiles(root);
    expect(refusals.read("abc")).toBe(0);
    await writeFile(path.join(dir, "pids.events"), "max 40\n");
    expect(refusals.read("abc")).toBe(40);
  });
});
