import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLayerSets, layerSetKey } from "./layer-sets.js";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "stratus-layers-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Extracted layers as the code cache holds them: one directory per digest, of `files` (path → content). */
async function layer(sha: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, sha, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

async function setsCounting() {
  const asked: string[] = [];
  const sets = await createLayerSets(root, async (sha) => {
    asked.push(sha);
    return path.join(root, sha);
  });
  return { sets, asked };
}

describe("layer sets", () => {
  it("merges layers in order: a later layer's file replaces an earlier one's, directories merge", async () => {
    await layer("a", { "nodejs/node_modules/lib/index.js": "a", "bin/tool": "a", "python/x.py": "a" });
    await layer("b", { "nodejs/node_modules/lib/index.js": "b", "lib/libx.so": "b" });
    const { sets } = await setsCounting();
    const dir = (await sets.dirFor(["a", "b"])) as string;
    expect(await readFile(path.join(dir, "nodejs/node_modules/lib/index.js"), "utf8")).toBe("b");
    expect(await readFile(path.join(dir, "bin/tool"), "utf8")).toBe("a");
    expect(await readFile(path.join(dir, "python/x.py"), "utf8")).toBe("a");
    expect(await readFile(path.join(dir, "lib/libx.so"), "utf8")).toBe("b");
    // The other order is another set, with the other winner.
    const reversed = (await sets.dirFor(["b", "a"])) as string;
    expect(reversed).not.toBe(dir);
    expect(await readFile(path.join(reversed, "nodejs/node_modules/lib/index.js"), "utf8")).toBe("a");
  });

  it("lets a later layer's file replace an earlier layer's directory of the same name, and the reverse", async () => {
    await layer("a", { "x/inner": "dir" });
    await layer("b", { x: "file" });
    const { sets } = await setsCounting();
    const dir = (await sets.dirFor(["a", "b"])) as string;
    expect(await readFile(path.join(dir, "x"), "utf8")).toBe("file");
    const back = (await sets.dirFor(["b", "a"])) as string;
    expect((await stat(path.join(back, "x"))).isDirectory()).toBe(true);
    expect(await readFile(path.join(back, "x/inner"), "utf8")).toBe("dir");
  });

  it("materialises each ordered set once, concurrent callers sharing it, and none for no layers", async () => {
    await layer("a", { f: "a" });
    const { sets, asked } = await setsCounting();
    expect(await sets.dirFor([])).toBeUndefined();
    const [one, two] = await Promise.all([sets.dirFor(["a"]), sets.dirFor(["a"])]);
    expect(one).toBe(two);
    expect(await sets.dirFor(["a"])).toBe(one);
    expect(asked).toEqual(["a"]);
    expect(path.basename(one as string)).toBe(layerSetKey(["a"]));
    expect((await readdir(path.join(root, ".layers"))).filter((e) => e.startsWith(".tmp-"))).toEqual([]);
  });

  it("fails, leaving nothing behind, when a layer cannot be had, and builds the set on a later call", async () => {
    await layer("a", { f: "a" });
    let fail = true;
    const sets = await createLayerSets(root, async (sha) => {
      if (fail) throw new Error("control plane answered 503");
      return path.join(root, sha);
    });
    await expect(sets.dirFor(["a"])).rejects.toThrow("503");
    expect(await readdir(path.join(root, ".layers"))).toEqual([]);
    fail = false;
    expect(await readFile(path.join((await sets.dirFor(["a"])) as string, "f"), "utf8")).toBe("a");
  });
});
