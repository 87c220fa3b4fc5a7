// The files of a function folder that go into its zip: everything under the folder
// but what .stratusignore (gitignore syntax, via the `ignore` library) and the
// defaults below leave out. Symbolic links are followed (pnpm's node_modules are
// links into the folder), except into a directory that is already being walked.
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import { CONFIG_FILE } from "./config-file.js";

export const IGNORE_FILE = ".stratusignore";

/**
 * Left out of every zip: version control, the CLI's own files, caches and OS litter.
 * node_modules itself is kept: a Node function needs its dependencies at run time.
 */
export const DEFAULT_IGNORES = [
  ".git/",
  ".hg/",
  ".svn/",
  ".stratus/",
  CONFIG_FILE,
  IGNORE_FILE,
  "node_modules/.cache/",
  "__pycache__/",
  "*.pyc",
  ".DS_Store",
];

export interface FolderFile {
  /** Path inside the zip, with forward slashes. */
  name: string;
  /** Path on disk. */
  file: string;
  /** Unix permission bits (executables stay executable: a `bootstrap` must). */
  mode: number;
}

/** The rules for `dir`: the defaults, then its .stratusignore if there is one. */
export async function ignoreRules(dir: string): Promise<Ignore> {
  const rules = ignore().add(DEFAULT_IGNORES);
  const own = await readFile(path.join(dir, IGNORE_FILE), "utf8").catch(() => "");
  return rules.add(own);
}

/** The folder's files to zip, sorted by name so that the same folder makes the same zip. */
export async function folderFiles(dir: string, rules?: Ignore): Promise<FolderFile[]> {
  const ig = rules ?? (await ignoreRules(dir));
  const out: FolderFile[] = [];
  const walk = async (abs: string, rel: string, ancestors: Set<string>) => {
    const entries = await readdir(abs, { withFileTypes: true });
    for (const entry of entries) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const file = path.join(abs, entry.name);
      const info = await stat(file).catch(() => undefined); // a dangling link is skipped
      if (!info) continue;
      if (info.isDirectory()) {
        if (ig.ignores(`${name}/`)) continue;
        const real = await realpath(file);
        if (ancestors.has(real)) continue; // a link back up the tree
        await walk(file, name, new Set([...ancestors, real]));
      } else if (info.isFile() && !ig.ignores(name)) {
        out.push({ name, file, mode: info.mode & 0o777 });
      }
    }
  };
  await walk(dir, "", new Set([await realpath(dir)]));
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
