import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createStemDirs } from "./stem-dirs.js";

let root: string;

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("stem directories", () => {
  it("fills a stem's directory with links to a code directory's files, its directories made, listing it once", async () => {
    root = await mkdtemp(path.join(tmpdir(), "stem-dirs-"));
    const code = path.join(root, "abc");
    await mkdir(path.join(code, "lib/deep"), { recursive: true });
    await writeFile(path.join(code, "index.js"), "exports.handler = 1;");
    await writeFile(path.join(code, "lib/deep/x.js"), "x");
    const dirs = await createStemDirs(root);
    const first = await dirs.create();
    await dirs.populate(first, code);
    for (const file of ["index.js", "lib/deep/x.js"]) {
      expect((await stat(path.join(first, file))).ino).toBe((await stat(path.join(code, file))).ino);
    }
    expect((await stat(path.join(first, "lib/deep"))).mode & 0o777).toBe(0o755);
    // The cache never changes a directory it made: the second stem gets the listing taken for the first.
    await writeFile(path.join(code, "late.js"), "");
    const second = await dirs.create();
    await dirs.populate(second, code);
    expect((await readdir(second)).sort()).toEqual(["index.js", "lib"]);
  });
});
