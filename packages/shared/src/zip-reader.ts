// Safe reading of function zips, one reader shared by the control plane (validation
// on upload) and invokers (extraction into the code cache), so a zip is either refused
// at upload or unpacks on every node. Every name follows zip-names.ts; no links or
// special files; every file is really inflated, so byte caps count real bytes: a
// header that lies about sizes or a bomb is stopped as soon as it exceeds.
import { type Readable, Transform } from "node:stream";
import yauzl from "yauzl";
import { ZipError } from "./zip-error.js";
import { nameParts, quoted, ZipPaths } from "./zip-names.js";

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
      err || !zip ? reject(unreadable(err)) : resolve(zip),
    );
  });
}

/** yauzl's own refusals may quote a name: escaped like ours. */
function unreadable(err: unknown): ZipError {
  if (err instanceof ZipError) return err;
  const why = quoted(err instanceof Error ? err.message : String(err)).slice(1, -1);
  return new ZipError(`Could not unzip uploaded file: ${why}`);
}

function checkEntry(entry: yauzl.Entry, limits: ZipLimits, paths: ZipPaths): ZipEntryInfo {
  const name = entry.fileName;
  const isDirectory = name.endsWith("/");
  const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
  const type = unixMode & S_IFMT;
  if (type === S_IFLNK) throw new ZipError(`Links are not allowed in the zip: ${quoted(name)}`);
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
    throw new ZipError(`Special file in the zip: ${quoted(name)}`);
  }
  const parts = nameParts(name, limits.maxDepth);
  if (type === S_IFDIR && !isDirectory) {
    throw new ZipError(`Directory entry without a trailing slash in the zip: ${quoted(name)}`);
  }
  if (isDirectory && entry.uncompressedSize > 0) {
    throw new ZipError(`Directory entry with content in the zip: ${quoted(name)}`);
  }
  paths.add(name, parts, isDirectory);
  const mode = (unixMode & 0o111) !== 0 ? 0o755 : 0o644;
  return { name: parts.join("/"), size: entry.uncompressedSize, mode, isDirectory };
}

/**
 * Reads every entry of `buf`, enforcing `limits`; hands each file's content to
 * `sink` (or drains it). Throws ZipError with a message fit for the API caller when
 * the zip breaks a rule; a failure of the sink's own is thrown as it is.
 */
export async function readZip(buf: Buffer, limits: ZipLimits, sink?: ZipFileSink): Promise<ZipEntryInfo[]> {
  const zip = await open(buf);
  const entries: ZipEntryInfo[] = [];
  const paths = new ZipPaths();
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => {
        reject(unreadable(err));
      };
      zip.on("error", fail);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        try {
          if (entries.length >= limits.maxEntries) throw new ZipError(`More than ${limits.maxEntries} entries`);
          const info = checkEntry(entry, limits, paths);
          entries.push(info);
          if (info.isDirectory) return zip.readEntry();
          zip.openReadStream(entry, (err, stream) => {
            if (err || !stream) return fail(err);
            /** What the zip's own stream failed with, as against the sink's own failure. */
            let zipFault: unknown;
            // Count real inflated bytes on the way through (a data listener here
            // would start the flow before the sink is attached and lose chunks).
            const counted = stream.pipe(
              new Transform({
                transform(chunk: Buffer, _enc, done) {
                  total += chunk.length;
                  if (total > limits.maxUnzippedBytes) {
                    zipFault ??= new ZipError(`Unzipped size exceeds ${limits.maxUnzippedBytes} bytes`);
                    done(zipFault as Error);
                  } else done(null, chunk);
                },
              }),
            );
            stream.on("error", (e) => {
              zipFault ??= e;
              counted.destroy(e);
            });
            const consumed = sink ? sink(info, counted) : drain(counted);
            consumed.then(
              () => zip.readEntry(),
              (e: unknown) => (zipFault ? fail(zipFault) : reject(e)),
            );
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
