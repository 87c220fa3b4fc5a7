// The node's cache of function code: zips fetched from the control plane by SHA-256,
// verified against that digest, extracted (by the reader and rules that checked it on
// upload) into <root>/<digest>/ and reused by every container of that code. Concurrent
// requests for one digest share a single fetch. Code that cannot be unpacked is the
// function's error (Runtime.InvalidCodePackage), told without a host path. Nothing
// removes an extracted digest while the node runs, so each is looked for on disk once.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { errors, limits, readZip, type StratusError, ZipError } from "@stratus/shared";

export type ZipFetcher = (sha256Hex: string) => Promise<Buffer>;

export interface CodeCache {
  /** Directory holding the extracted code for this digest; throws errors.invalidCodePackage if it cannot be unpacked. */
  dirFor(sha256Hex: string): Promise<string>;
  /** The error of a digest known not to unpack (its zip breaks a rule), at once and without I/O. */
  refusal(sha256Hex: string): StratusError | undefined;
}

/** How many digests known not to unpack are remembered (content-addressed: a zip's verdict never changes). */
const REFUSALS_KEPT = 1_000;

/** What a failed extraction tells the caller: the zip's broken rule, or only the error's code (a message may hold a path). */
function unpackFailure(err: unknown): StratusError {
  if (err instanceof ZipError)
    return errors.invalidCodePackage(`The function's code could not be unpacked: ${err.message}`);
  const code = (err as NodeJS.ErrnoException).code;
  const why = typeof code === "string" && /^E[A-Z]+$/.test(code) ? ` (${code})` : "";
  return Object.assign(errors.invalidCodePackage(`The function's code could not be unpacked on this node${why}`), {
    cause: err,
  });
}

export async function createCodeCache(root: string, fetchZip: ZipFetcher): Promise<CodeCache> {
  await mkdir(root, { recursive: true });
  // Containers run as an unprivileged user and must be able to traverse to their code.
  await chmod(root, 0o755);
  for (const entry of await readdir(root)) {
    if (entry.startsWith(".tmp-")) await rm(path.join(root, entry), { recursive: true, force: true });
  }
  const inflight = new Map<string, Promise<string>>();
  const refusals = new Map<string, StratusError>();
  // Digests extracted (or found extracted) here: nothing removes them, so they need no look again.
  const present = new Set<string>();

  async function load(sha: string): Promise<string> {
    const dir = path.join(root, sha);
    if (await stat(dir).catch(() => undefined)) return dir;
    const zip = await fetchZip(sha);
    if (createHash("sha256").update(zip).digest("hex") !== sha) {
      throw new Error(`code ${sha} fetched from the control plane does not match its digest`);
    }
    const tmp = path.join(root, `.tmp-${sha}-${process.pid}-${Date.now()}`);
    try {
      await mkdir(tmp, { mode: 0o755 });
      const entries = await readZip(
        zip,
        { maxEntries: limits.zipEntries, maxUnzippedBytes: limits.unzippedCodeBytes, maxDepth: limits.zipPathDepth },
        async (entry, content) => {
          const target = path.join(tmp, entry.name);
          await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
          // "wx": a file is only ever created, never written over or through a link.
          await pipeline(content, createWriteStream(target, { mode: entry.mode, flags: "wx" }));
          await chmod(target, entry.mode);
        },
      );
      for (const entry of entries) {
        if (entry.isDirectory) await mkdir(path.join(tmp, entry.name), { recursive: true, mode: 0o755 });
      }
      await chmodDirs(tmp);
      await rename(tmp, dir);
    } catch (err) {
      // Not removable either (the disk trouble that failed the extraction): the next start sweeps it.
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      // Lost a race with another process that extracted the same digest: fine.
      if (await stat(dir).catch(() => undefined)) return dir;
      const failure = unpackFailure(err);
      if (err instanceof ZipError) {
        if (refusals.size >= REFUSALS_KEPT) refusals.clear();
        refusals.set(sha, failure);
      }
      throw failure;
    }
    return dir;
  }

  return {
    refusal: (sha) => refusals.get(sha),
    dirFor(sha) {
      const refused = refusals.get(sha);
      if (refused) return Promise.reject(refused);
      if (present.has(sha)) return Promise.resolve(path.join(root, sha));
      let p = inflight.get(sha);
      if (!p) {
        p = load(sha)
          .then((dir) => {
            present.add(sha);
            return dir;
          })
          .finally(() => inflight.delete(sha));
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
