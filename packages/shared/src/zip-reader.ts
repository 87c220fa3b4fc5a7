// Safe reading of function zips, shared by the control plane (validation on upload)
// and invokers (extraction into the code cache). Every entry is checked (no absolute
// or parent paths, no backslashes, no links, no duplicate or case-colliding names,
// depth and count caps) and every file is really inflated, so byte caps count real
// bytes: a header that lies about sizes or a bomb is stopped as soon as it exceeds.
import { type Readable, Transform } from "node:stream";
import yauzl from "yauzl";

export class ZipError extends Error {}

export interface ZipLimits {
  maxEntries: number;
  maxUnzippedBytes: number;
  maxDepth: number;
}

export interface ZipEntryInfo {
  name: string;
  size: number;
  /** Unix permission bits (0o755 for executables), 0o644 when the zip carries none. */
  mode: number;
  isDirectory: boolean;
}

/** Called with each file's inflated stream; it must consume the stream. */
export type ZipFileSink = (entry: ZipEntryInfo, content: Readable) => Promise<void>;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function open(buf: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true }, (err, zip) =>
      err || !zip ? reject(new ZipError(`Could not unzip uploaded file: ${err?.message}`)) : resolve(zip),
    );
  });
}

function checkEntry(entry: yauzl.Entry, limits: ZipLimits, seen: Set<string>): ZipEntryInfo {
  const name = entry.fileName;
  const isDirectory = name.endsWith("/");
  const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
  const type = unixMode & S_IFMT;
  if (type === S_IFLNK) throw new ZipError(`Links are not allowed in the zip: ${name}`);
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) throw new ZipError(`Special file in the zip: ${name}`);
  if (name.includes("\\") || name.startsWith("/") || /^[A-Za-z]:/.test(name)) {
    throw new ZipError(`Unsafe path in the zip: ${name}`);
  }
  const parts = name.split("/").filter((p) => p !== "");
  if (parts.some((p) => p === ".." || p === ".")) throw new ZipError(`Unsafe path in the zip: ${name}`);
  if (parts.length > limits.maxDepth) throw new ZipError(`Path deeper than ${limits.maxDepth} levels: ${name}`);
  const key = parts.join("/").toLowerCase() + (isDirectory ? "/" : "");
  if (seen.has(key)) throw new ZipError(`Duplicate or case-colliding name in the zip: ${name}`);
  seen.add(key);
  const mode = (unixMode & 0o111) !== 0 ? 0o755 : 0o644;
  return { name: parts.join("/"), size: entry.uncompressedSize, mode, isDirectory };
}

/**
 * Reads every entry of `buf`, enforcing `limits`; hands each file's content to
 * `sink` (or drains it). Throws ZipError with a message fit for the API caller.
 */
export async function readZip(buf: Buffer, limits: ZipLimits, sink?: ZipFileSink): Promise<ZipEntryInfo[]> {
  const zip = await open(buf);
  const entries: ZipEntryInfo[] = [];
  const seen = new Set<string>();
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => {
        reject(
          err instanceof ZipError ? err : new ZipError(`Could not unzip uploaded file: ${(err as Error).message}`),
        );
      };
      zip.on("error", fail);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        try {
          if (entries.length >= limits.maxEntries) throw new ZipError(`More than ${limits.maxEntries} entries`);
          const info = checkEntry(entry, limits, seen);
          entries.push(info);
          if (info.isDirectory) return zip.readEntry();
          zip.openReadStream(entry, (err, stream) => {
            if (err || !stream) return fail(err);
            // Count real inflated bytes on the way through (a data listener here
            // would start the flow before the sink is attached and lose chunks).
            const counted = stream.pipe(
              new Transform({
                transform(chunk: Buffer, _enc, done) {
                  total += chunk.length;
                  if (total > limits.maxUnzippedBytes) {
                    done(new ZipError(`Unzipped size exceeds ${limits.maxUnzippedBytes} bytes`));
                  } else done(null, chunk);
                },
              }),
            );
            stream.on("error", (e) => counted.destroy(e));
            const consumed = sink ? sink(info, counted) : drain(counted);
            consumed.then(() => zip.readEntry(), fail);
          });
        } catch (err) {
          fail(err);
        }
      });
      zip.readEntry();
    });
  } finally {
    if (zip.isOpen) zip.close();
  }
  return entries;
}

function drain(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on("error", reject);
    stream.on("end", resolve);
    stream.resume();
  });
}
