import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PeakMemoryFiles } from "./peak-memory.js";

const MB = 1024 * 1024;
let root: string;

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("PeakMemoryFiles", () => {
  it("re-reads a cgroup v1 counter in place as it changes, and forgets it on removal", async () => {
    root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
    const dir = path.join(root, "memory/docker/abc");
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, "memory.max_usage_in_bytes");
    await writeFile(file, `${10 * MB}\n`);
    const peaks = new PeakMemoryFiles(root);
    expect(peaks.read("abc")).toBe(10);
    // Rewritten in place (same inode), as the kernel's counter is: the open file sees it.
    await writeFile(file, `${25 * MB + 1}\n`);
    expect(peaks.read("abc")).toBe(26);
    peaks.forget("abc");
    await rm(dir, { recursive: true });
    expect(peaks.read("abc")).toBeUndefined();
  });

  it("reads cgroup v2's memory.peak, and nothing for an unknown container", async () => {
    root = await mkdtemp(path.join(tmpdir(), "cgroup-"));
    const dir = path.join(root, "system.slice/docker-def.scope");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "memory.peak"), `${3 * MB}\n`);
    const peaks = new PeakMemoryFiles(root);
    expect(peaks.read("def")).toBe(3);
    expect(peaks.read("nope")).toBeUndefined();
  });
});
