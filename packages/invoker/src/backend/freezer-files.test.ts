// The freezer files over a directory laid out as the kernel's cgroup filesystem: v1's
// freezer.state (which reads back what was written once frozen), v2's cgroup.freeze
// with its cgroup.events, a freeze that never takes, and a node that cannot write them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FreezerFiles } from "./freezer-files.js";

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function cgroup(dir: string, files: Record<string, string>): string {
  root = mkdtempSync(path.join(tmpdir(), "cgroup-"));
  const at = path.join(root, dir);
  mkdirSync(at, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(at, name), text);
  return at;
}

describe("freezer files", () => {
  it("freezes and thaws through v1's freezer.state", async () => {
    const at = cgroup("freezer/docker/abc", { "freezer.state": "THAWED\n" });
    const files = new FreezerFiles(root);
    expect(await files.freeze("abc")).toBe(true);
    expect(readFileSync(path.join(at, "freezer.state"), "utf8")).toBe("FROZEN");
    expect(await files.thaw("abc")).toBe(true);
    expect(readFileSync(path.join(at, "freezer.state"), "utf8")).toBe("THAWED");
  });

  it("freezes through v2's cgroup.freeze once cgroup.events says frozen", async () => {
    const at = cgroup("system.slice/docker-abc.scope", {
      "cgroup.freeze": "0",
      "cgroup.events": "populated 1\nfrozen 1\n",
    });
    const files = new FreezerFiles(root);
    expect(await files.freeze("abc")).toBe(true);
    expect(readFileSync(path.join(at, "cgroup.freeze"), "utf8")).toBe("1");
    await files.thaw("abc");
    expect(readFileSync(path.join(at, "cgroup.freeze"), "utf8")).toBe("0");
  });

  it("undoes a freeze that does not take, and says so", async () => {
    const at = cgroup("docker/abc", { "cgroup.freeze": "0", "cgroup.events": "populated 1\nfrozen 0\n" });
    await expect(new FreezerFiles(root).freeze("abc")).rejects.toThrow(/unable to freeze/);
    expect(readFileSync(path.join(at, "cgroup.freeze"), "utf8")).toBe("0");
  });

  it("leaves a container it cannot find (or write) to the engine", async () => {
    cgroup("freezer/docker/other", { "freezer.state": "THAWED" });
    const files = new FreezerFiles(root);
    expect(await files.freeze("abc")).toBe(false);
    expect(await files.thaw("abc")).toBe(false);
  });
});
