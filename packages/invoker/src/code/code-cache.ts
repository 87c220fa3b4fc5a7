// The node's cache of function code: zips fetched from the control plane by SHA-256,
// verified against that digest, extracted (with the same safety checks as upload)
// into <root>/<digest>/ and reused by every container of that code. Concurrent
// requests for one digest share a single fetch.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { limits, readZip } from "@stratus/shared";

export type ZipFetcher = (sha256Hex: string) => Promise<Buffer>;

export interface CodeCache {
  /** Directory holding the extracted code for this digest. */
  dirFor(sha256Hex: string): Promise<string>;
}

export async function createCodeCache(root: string, fetchZip: ZipFetcher): Promise<CodeCache> {
  await mkdir(root, { recursive: true });
  // Containers run as an unprivileged user and must be able to traverse to their code.
  await chmod(root, 0o755);
  for (const entry of await readdir(root)) {
    if (entry.startsWith(".tmp-")) await rm(path.join(root, entry), { recursive: true, force: true });
  }
  const inflight = new Map<string, Promise<string>>();

  async function load(sha: string): Promise<string> {
    const dir = path.join(root, sha);
    if (await stat(dir).catch(() => undefined)) return dir;
    const zip = await fetchZip(sha);
    if (createHash("sha256").update(zip).digest("hex") !== sha) {
      throw new Error(`code ${sha} fetched from the control plane does not match its digest`);
    }
    const tmp = path.join(root, `.tmp-${sha}-${process.pid}-${Date.now()}`);
    await mkdir(tmp, { mode: 0o755 });
    try {
      await readZip(
        zip,
        { maxEntries: limits.zipEntries, maxUnzippedBytes: limits.unzippedCodeBytes, maxDepth: limits.zipPathDepth },
        async (entry, content) => {
          const target = path.join(tmp, entry.name);
          await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
          await pipeline(content, createWriteStream(target, { mode: entry.mode }));
          await chmod(target, entry.mode);
        },
      );
      await chmodDirs(tmp);
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      // Lost a race with another process that extracted the same digest: fine.
      if (await stat(dir).catch(() => undefined)) return dir;
      throw err;
    }
    return dir;
  }

  return {
    dirFor(sha) {
      let p = inflight.get(sha);
      if (!p) {
        p = load(sha).finally(() => inflight.delete(sha));
        inflight.set(sha, p);
      }
      return p;
    },
  };
}

async function chmodDirs(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await chmodDirs(path.join(dir, entry.name));
  }
}
