import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { StratusError } from "@stratus/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RawEntry, rawZip } from "../../../shared/src/testing/raw-zip.js";
import { createCodeCache } from "./code-cache.js";

let root: string;
let fetched: number;

beforeEach(async () => {
  root = path.join(await mkdtemp(path.join(tmpdir(), "stratus-code-")), "code");
  fetched = 0;
});
afterEach(async () => {
  await rm(path.dirname(root), { recursive: true, force: true });
});

/** A cache whose control plane holds one zip of `entries`, and that zip's digest. */
async function cacheOf(entries: RawEntry[]) {
  const zip = rawZip(entries);
  const sha = createHash("sha256").update(zip).digest("hex");
  const cache = await createCodeCache(root, async () => {
    fetched++;
    return zip;
  });
  return { cache, sha };
}

describe("the code cache", () => {
  it("extracts files with their modes, and empty directories", async () => {
    const { cache, sha } = await cacheOf([
      { name: "bootstrap", content: "#!/bin/sh", mode: 0o100755 },
      { name: "lib/x.js", content: "x" },
      { name: "data/" },
    ]);
    const dir = await cache.dirFor(sha);
    expect(await readFile(path.join(dir, "lib/x.js"), "utf8")).toBe("x");
    expect((await stat(path.join(dir, "bootstrap"))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(dir, "data"))).isDirectory()).toBe(true);
    expect(await cache.dirFor(sha)).toBe(dir);
    expect(fetched).toBe(1);
  });

  it("looks for an extracted digest on disk once", async () => {
    const { cache, sha } = await cacheOf([{ name: "index.js", content: "x" }]);
    const dir = await cache.dirFor(sha);
    // Nothing on the node removes extracted code; were it gone, it is not looked for nor fetched again.
    await rm(dir, { recursive: true });
    expect(await cache.dirFor(sha)).toBe(dir);
    expect(fetched).toBe(1);
  });

  it("answers code that breaks a zip rule as the function's error naming the entry, no host path, and remembers it", async () => {
    const { cache, sha } = await cacheOf([
      { name: "index.js", content: "x" },
      { name: "lib", content: "f" },
      { name: "lib/x.js", content: "x" },
    ]);
    const err = await cache.dirFor(sha).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StratusError);
    expect(err).toMatchObject({ code: "Runtime.InvalidCodePackage", kind: "function" });
    expect((err as Error).message).toMatch(/share a name in the zip: "lib" and "lib\/x\.js"/);
    expect((err as Error).message).not.toContain(root);
    expect(cache.refusal(sha)).toBe(err);
    await expect(cache.dirFor(sha)).rejects.toBe(err);
    expect(fetched).toBe(1);
  });

  it("answers disk trouble as the function's error with only the error's code, and does not remember it", async () => {
    const { cache, sha } = await cacheOf([{ name: "index.js", content: "x" }]);
    // The cache's directory is gone and a file stands in its place.
    await rm(root, { recursive: true });
    await writeFile(root, "not a directory");
    const err = await cache.dirFor(sha).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "Runtime.InvalidCodePackage", kind: "function" });
    expect((err as Error).message).toBe("The function's code could not be unpacked on this node (ENOTDIR)");
    expect(cache.refusal(sha)).toBeUndefined();
  });

  it("leaves code that does not match its digest a platform error", async () => {
    const cache = await createCodeCache(root, async () => rawZip([{ name: "index.js", content: "x" }]));
    const err = await cache.dirFor("0".repeat(64)).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(StratusError);
  });
});
