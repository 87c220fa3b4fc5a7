// The node's merged layer directories: each distinct ordered set of layer digests is
// materialised once under <codeDir>/.layers/<key>/, the layers' extracted code
// (from the code cache) merged in order, a later layer's file replacing an earlier
// one's, and shared read-only by every container that mounts it at /opt. Files are
// hard links to the code cache's, which never changes a file in place. Like the code
// cache, sets are kept for the node's life: both are content-addressed and small
// beside the images, and neither is collected today.
import { createHash } from "node:crypto";
import { chmod, copyFile, link, lstat, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";

export interface LayerSets {
  /** The merged directory of `digests` (in order), or undefined for a function without layers. */
  dirFor(digests: readonly string[]): Promise<string | undefined>;
}

/** The directory name of an ordered set of digests: another order is another set. */
export const layerSetKey = (digests: readonly string[]) => createHash("sha256").update(digests.join(",")).digest("hex");

/**
 * Merges the tree `from` into `to`: directories are merged, a file replaces whatever
 * `to` held at its path (a file, or a directory of the same name).
 */
export async function mergeTree(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    const there = await lstat(dest).catch(() => undefined);
    if (entry.isDirectory()) {
      if (there && !there.isDirectory()) await rm(dest, { force: true });
      if (!there?.isDirectory()) {
        await mkdir(dest, { mode: 0o755 });
        await chmod(dest, 0o755);
      }
      await mergeTree(src, dest);
    } else if (entry.isFile()) {
      if (there) await rm(dest, { recursive: true, force: true });
      await link(src, dest).catch(() => copyFile(src, dest));
    }
    // Nothing else exists in the code cache: zips with links or devices are refused.
  }
}

/** `codeDirFor`: the code cache's extracted directory of one digest (it throws the function's error when a zip cannot be unpacked). */
export async function createLayerSets(
  codeDir: string,
  codeDirFor: (sha256Hex: string) => Promise<string>,
): Promise<LayerSets> {
  const root = path.join(codeDir, ".layers");
  await mkdir(root, { recursive: true, mode: 0o755 });
  await chmod(root, 0o755);
  for (const entry of await readdir(root)) {
    if (entry.startsWith(".tmp-")) await rm(path.join(root, entry), { recursive: true, force: true });
  }
  const inflight = new Map<string, Promise<string>>();

  async function build(key: string, digests: readonly string[]): Promise<string> {
    const dir = path.join(root, key);
    if (await stat(dir).catch(() => undefined)) return dir;
    const sources = await Promise.all(digests.map((sha) => codeDirFor(sha)));
    const tmp = path.join(root, `.tmp-${key}-${process.pid}-${Date.now()}`);
    try {
      await mkdir(tmp, { mode: 0o755 });
      await chmod(tmp, 0o755);
      for (const source of sources) await mergeTree(source, tmp);
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      if (await stat(dir).catch(() => undefined)) return dir;
      throw err;
    }
    return dir;
  }

  return {
    async dirFor(digests) {
      if (digests.length === 0) return undefined;
      const key = layerSetKey(digests);
      let p = inflight.get(key);
      if (!p) {
        p = build(key, digests).finally(() => inflight.delete(key));
        inflight.set(key, p);
      }
      return p;
    },
  };
}
