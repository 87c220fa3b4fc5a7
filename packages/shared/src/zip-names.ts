// The rules an entry's name follows for a zip to unpack the same on every node: a
// relative path of plain parts, no control characters, no part naming both a file
// and a directory, no two names that a case- or normalisation-insensitive file system
// would merge. Shared by the control plane (on upload) and invokers (on extraction).
import { ZipError } from "./zip-error.js";

/** Longest part of a path, in bytes (NAME_MAX on Linux). */
export const MAX_NAME_PART_BYTES = 255;
/** Longest whole name, in bytes: far below PATH_MAX (4096) with the cache's root before it. */
export const MAX_NAME_BYTES = 1024;

const isControl = (name: string) => [...name].some((c) => c.charCodeAt(0) < 0x20 || c === "\u007f");

/**
 * `name` fit for a message: in quotes, every character outside printable ASCII
 * escaped (a NUL, a newline, a terminal escape or a bidi override cannot reach a
 * log or a client as itself), cut at 200 characters.
 */
export function quoted(name: string): string {
  const cut = name.length > 200 ? `${name.slice(0, 200)}...` : name;
  return JSON.stringify(cut).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The parts of entry `name` (a trailing slash marks a directory); throws ZipError naming the entry. */
export function nameParts(name: string, maxDepth: number): string[] {
  if (name === "" || /^\/+$/.test(name)) throw new ZipError("Entry with an empty name in the zip");
  if (isControl(name)) throw new ZipError(`Control character in an entry name in the zip: ${quoted(name)}`);
  if (name.includes("\\") || name.startsWith("/") || /^[A-Za-z]:/.test(name)) {
    throw new ZipError(`Unsafe path in the zip: ${quoted(name)}`);
  }
  const parts = name.split("/").filter((p) => p !== "");
  if (parts.some((p) => p === ".." || p === ".")) throw new ZipError(`Unsafe path in the zip: ${quoted(name)}`);
  if (parts.length > maxDepth) throw new ZipError(`Path deeper than ${maxDepth} levels: ${quoted(name)}`);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new ZipError(`Entry name longer than ${MAX_NAME_BYTES} bytes: ${quoted(name)}`);
  }
  if (parts.some((p) => Buffer.byteLength(p) > MAX_NAME_PART_BYTES)) {
    throw new ZipError(`Part of an entry name longer than ${MAX_NAME_PART_BYTES} bytes: ${quoted(name)}`);
  }
  return parts;
}

/**
 * The paths of one zip seen so far. Names are compared folded (Unicode NFC, lower
 * case): Linux would keep `index.js` and `INDEX.js` apart, but the same zip unpacked
 * on macOS or Windows (a developer's download of the function) silently keeps one of
 * them, so which code runs would depend on where it is unpacked.
 */
export class ZipPaths {
  /** Folded path of each file, and the name that brought it. */
  private readonly files = new Map<string, string>();
  /** Folded path of each directory, explicit or implied by an entry below it. */
  private readonly dirs = new Map<string, string>();
  private readonly explicitDirs = new Set<string>();

  /** Adds entry `name` of `parts`; throws ZipError on a duplicate or a collision. */
  add(name: string, parts: readonly string[], isDirectory: boolean): void {
    const folded = parts.map((p) => p.normalize("NFC").toLowerCase());
    for (let i = 1; i < folded.length; i++) {
      const file = this.files.get(folded.slice(0, i).join("/"));
      if (file !== undefined) throw collision(file, name);
    }
    const key = folded.join("/");
    const file = this.files.get(key);
    if (file !== undefined) throw isDirectory ? collision(file, name) : same(file, name);
    if (isDirectory) {
      if (this.explicitDirs.has(key)) throw new ZipError(`Duplicate name in the zip: ${quoted(name)}`);
      this.explicitDirs.add(key);
    } else {
      const dir = this.dirs.get(key);
      if (dir !== undefined) throw collision(name, dir);
      this.files.set(key, name);
    }
    for (let i = 1; i <= folded.length - (isDirectory ? 0 : 1); i++) {
      const dir = folded.slice(0, i).join("/");
      if (!this.dirs.has(dir)) this.dirs.set(dir, name);
    }
  }
}

function collision(file: string, underOrDir: string): ZipError {
  return new ZipError(`A file and a directory share a name in the zip: ${quoted(file)} and ${quoted(underOrDir)}`);
}

const plain = (name: string) =>
  name
    .split("/")
    .filter((p) => p !== "")
    .join("/");

function same(first: string, second: string): ZipError {
  return plain(first) === plain(second)
    ? new ZipError(`Duplicate name in the zip: ${quoted(second)}`)
    : new ZipError(`Names differing only in case or Unicode form in the zip: ${quoted(first)} and ${quoted(second)}`);
}
