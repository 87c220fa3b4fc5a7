// The host directories stem cells mount at /var/task and /opt: empty directories of
// their own under <codeDir>/.stems/, so a stem cell never sees any function's code.
// When it is specialised, they are filled with that one function's code and layers
// (hard links to the code cache's read-only, root-owned files; a copy when linking is
// not possible), and they are deleted with the container.
import { randomUUID } from "node:crypto";
import { chmod, copyFile, link, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";

export interface StemDirs {
  /** A new empty directory, readable by the containers' unprivileged user. */
  create(): Promise<string>;
  /** Fills `dir` (from create) with the contents of the code directory `from`. */
  populate(dir: string, from: string): Promise<void>;
  remove(dir: string): Promise<void>;
}

/** Clears what a previous run of this node left (its stem containers are orphans by then). */
export async function createStemDirs(codeDir: string): Promise<StemDirs> {
  const root = path.join(codeDir, ".stems");
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true, mode: 0o755 });
  await chmod(root, 0o755);
  return {
    async create() {
      const dir = path.join(root, randomUUID());
      await mkdir(dir, { mode: 0o755 });
      await chmod(dir, 0o755);
      return dir;
    },
    populate: (dir, from) => mirror(from, dir),
    async remove(dir) {
      if (path.dirname(dir) !== root) throw new Error(`${dir} is not a stem directory`);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function mirror(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(dest, { mode: 0o755 });
      await chmod(dest, 0o755);
      await mirror(src, dest);
    } else if (entry.isFile()) {
      // The cache never changes a file in place, so sharing its inode is safe.
      await link(src, dest).catch(() => copyFile(src, dest));
    }
    // Nothing else exists in the cache: zips with links or devices are refused.
  }
}
