import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { folderFiles } from "./folder-files.js";
import { checkZipSize, ZIP_LIMIT, zipFiles } from "./zip-folder.js";

let dir: string;

async function put(files: Record<string, string>) {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

/** A zip's entries: name → [content, unix mode]. */
async function entries(zip: Buffer): Promise<Record<string, [string, number]>> {
  const z = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, f) => (err ? reject(err) : resolve(f))),
  );
  const out: Record<string, [string, number]> = {};
  await new Promise<void>((resolve, reject) => {
    z.on("entry", (e: yauzl.Entry) => {
      z.openReadStream(e, (err, s) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        s.on("data", (c: Buffer) => chunks.push(c));
        s.on("end", () => {
          out[e.fileName] = [Buffer.concat(chunks).toString("utf8"), (e.externalFileAttributes >>> 16) & 0o777];
          z.readEntry();
        });
      });
    });
    z.on("end", resolve);
    z.on("error", reject);
    z.readEntry();
  });
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-cli-folder-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("folderFiles", () => {
  it("leaves out the defaults and what .stratusignore says, keeping node_modules", async () => {
    await put({
      "index.js": "1",
      "stratus.json": "{}",
      ".stratusignore": "*.log\n!keep.log\ntest/\n",
      ".git/HEAD": "ref",
      "node_modules/dep/index.js": "dep",
      "node_modules/.cache/big": "x",
      "lib/__pycache__/m.pyc": "x",
      "lib/m.py": "m",
      "debug.log": "x",
      "keep.log": "k",
      "test/t.js": "t",
      "src/test/t.js": "x", // test/ matches at any depth, as in .gitignore
    });
    const names = (await folderFiles(dir)).map((f) => f.name);
    expect(names).toEqual(["index.js", "keep.log", "lib/m.py", "node_modules/dep/index.js"]);
  });

  it("follows links into the folder (pnpm's node_modules) but not a loop back up", async () => {
    await put({ "index.js": "1", "store/dep/index.js": "dep" });
    await mkdir(path.join(dir, "node_modules"));
    await symlink(path.join(dir, "store", "dep"), path.join(dir, "node_modules", "dep"));
    await symlink(dir, path.join(dir, "store", "loop"));
    await symlink(path.join(dir, "gone"), path.join(dir, "dangling"));
    const names = (await folderFiles(dir)).map((f) => f.name);
    expect(names).toEqual(["index.js", "node_modules/dep/index.js", "store/dep/index.js"]);
  });
});

describe("zipFiles", () => {
  it("zips the files with their modes, the same bytes for the same folder", async () => {
    await put({ "index.js": "exports.handler = 1;", bootstrap: "#!/bin/sh\n", ".git/HEAD": "x" });
    await chmod(path.join(dir, "bootstrap"), 0o755);
    const first = await zipFiles(await folderFiles(dir));
    expect(await entries(first.zip)).toEqual({
      bootstrap: ["#!/bin/sh\n", 0o755],
      "index.js": ["exports.handler = 1;", 0o644],
    });
    expect(first.files).toBe(2);
    const again = await zipFiles(await folderFiles(dir));
    expect(again.sha256).toBe(first.sha256);
    await put({ "index.js": "exports.handler = 2;" });
    expect((await zipFiles(await folderFiles(dir))).sha256).not.toBe(first.sha256);
  });
});

describe("checkZipSize", () => {
  it("takes a zip up to Lambda's 50 MB and refuses one over it, saying how to shrink it", () => {
    expect(() => checkZipSize(ZIP_LIMIT)).not.toThrow();
    expect(() => checkZipSize(ZIP_LIMIT + 1)).toThrow("the zip is 50.0 MB; Lambda takes at most 50.0 MB zipped");
  });
});
