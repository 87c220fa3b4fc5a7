// The host directories stem cells mount at /var/task and /opt: empty directories of
// their own under <codeDir>/.stems/, so a stem cell never sees any function's code.
// When it is specialised, they are filled with that one function's code and layers
// (hard links to the code cache's read-only, root-owned files; a copy when linking is
// not possible), and they are deleted with the container. A source directory is listed
// once: the code cache never changes one it made.
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
  // Listings of the directories mirrored so far: the cache never changes a directory it made.
  const listings = new Map<string, Promise<Listed[]>>();
  const listed = (from: string): Promise<Listed[]> => {
    let l = listings.get(from);
    if (!l) {
      if (listings.size >= 1_000) listings.clear();
      l = list(from);
      listings.set(from, l);
      // A failed listing is not kept.
      l.catch(() => listings.delete(from));
    }
    return l;
  };
  return {
    async create() {
      const dir = path.join(root, randomUUID());
      await mkdir(dir, { mode: 0o755 });
      await chmod(dir, 0o755);
      return dir;
    },
    populate: async (dir, from) => mirror(await listed(from), from, dir),
    async remove(dir) {
      if (path.dirname(dir) !== root) throw new Error(`${dir} is not a stem directory`);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A code or layer directory's contents, parents before their children. */
interface Listed {
  rel: string;
  dir: boolean;
}

async function list(from: string, rel = ""): Promise<Listed[]> {
  const out: Listed[] = [];
  for (const entry of await readdir(path.join(from, rel), { withFileTypes: true })) {
    const child = path.join(rel, entry.name);
    if (entry.isDirectory()) out.push({ rel: child, dir: true }, ...(await list(from, child)));
    else if (entry.isFile()) out.push({ rel: child, dir: false });
    // Nothing else exists in the cache: zips with links or devices are refused.
  }
  return out;
}

/** Makes `entries` of `from` (listed) in `to`: its directories, then links to its files. */
async function mirror(entries: Listed[], from: string, to: string): Promise<void> {
  for (const e of entries) {
    if (!e.dir) continue;
    await mkdir(path.join(to, e.rel), { mode: 0o755 });
    await chmod(path.join(to, e.rel), 0o755);
  }
  // The cache never changes a file in place, so sharing its inode is safe.
  await Promise.all(
    entries
      .filter((e) => !e.dir)
      .map((e) => {
        const [src, dest] = [path.join(from, e.rel), path.join(to, e.rel)];
        return link(src, dest).catch(() => copyFile(src, dest));
      }),
  );
}
