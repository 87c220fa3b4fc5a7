import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { boundByHostTasks, HOST_TASK_RESERVE, readHostTaskLimits, TASKS_PER_CONTAINER } from "./host-tasks.js";

describe("boundByHostTasks", () => {
  it("lowers a capacity whose smallest containers the host's pid_max cannot hold", () => {
    // Debian's default without systemd: 32768 process ids.
    const bound = boundByHostTasks(8192, { pidMax: 32768, threadsMax: 192_735 });
    const containers = Math.floor((32768 - HOST_TASK_RESERVE) / TASKS_PER_CONTAINER);
    expect(containers).toBe(29);
    expect(bound).toEqual({ capacityMb: containers * 128, containers, tasks: 32768 });
  });

  it("takes threads-max where it is the lower limit", () => {
    const bound = boundByHostTasks(32768, { pidMax: 4_194_304, threadsMax: 100_000 });
    expect(bound?.tasks).toBe(100_000);
    expect(bound?.capacityMb).toBe(Math.floor((100_000 - HOST_TASK_RESERVE) / TASKS_PER_CONTAINER) * 128);
  });

  it.each([
    ["a host that holds every container", 8192, { pidMax: 4_194_304, threadsMax: 192_735 }],
    ["a capacity exactly at the bound", 29 * 128, { pidMax: 32768, threadsMax: 192_735 }],
    ["limits that could not be read", 8192, undefined],
  ])("leaves the capacity as it is for %s", (_what, capacityMb, limits) => {
    expect(boundByHostTasks(capacityMb, limits)).toBeUndefined();
  });

  it("keeps room for one container on a host with hardly any tasks", () => {
    expect(boundByHostTasks(8192, { pidMax: 1000, threadsMax: 1000 })?.capacityMb).toBe(128);
  });
});

describe("readHostTaskLimits", () => {
  let proc: string;
  afterEach(() => rm(proc, { recursive: true, force: true }));

  it("reads pid_max and threads-max", async () => {
    proc = await mkdtemp(path.join(tmpdir(), "proc-"));
    await mkdir(path.join(proc, "sys/kernel"), { recursive: true });
    await writeFile(path.join(proc, "sys/kernel/pid_max"), "32768\n");
    await writeFile(path.join(proc, "sys/kernel/threads-max"), "192735\n");
    expect(readHostTaskLimits(proc)).toEqual({ pidMax: 32768, threadsMax: 192_735 });
  });

  it("is undefined where either cannot be read as a number", async () => {
    proc = await mkdtemp(path.join(tmpdir(), "proc-"));
    await mkdir(path.join(proc, "sys/kernel"), { recursive: true });
    await writeFile(path.join(proc, "sys/kernel/pid_max"), "32768\n");
    expect(readHostTaskLimits(proc)).toBeUndefined();
    await writeFile(path.join(proc, "sys/kernel/threads-max"), "lots\n");
    expect(readHostTaskLimits(proc)).toBeUndefined();
  });

  it("reads this host's", () => {
    const limits = readHostTaskLimits();
    expect(limits?.pidMax).toBeGreaterThan(0);
    expect(limits?.threadsMax).toBeGreaterThan(0);
  });
});
