// Writes zips byte by byte for tests, every field as given: names no zip library
// would write (NUL, empty, `..`), links and special files, sizes that lie. Used by
// the zip reader's unit tests and by integration tests that upload hostile zips.
import { crc32, deflateRawSync } from "node:zlib";

export interface RawEntry {
  name: string;
  content?: string | Buffer;
  /** Unix mode with its type bits; default a regular file (0o100644), a directory (0o40755) for a name ending in /. */
  mode?: number;
  /** Deflated (method 8) rather than stored. */
  deflate?: boolean;
  /** Written as the uncompressed size instead of the real one. */
  declaredSize?: number;
  /**
   * The index of an earlier entry whose local record (and data) this one's central
   * record points at, writing none of its own: overlapping entries, as in a zip bomb
   * whose files all inflate the same bytes. Its content must be that entry's.
   */
  sharesDataOf?: number;
}

const DOS_DATE_1980 = 0x21;
const UTF8_FLAG = 0x0800;

export function rawZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const content = Buffer.from(e.content ?? "");
    const data = e.deflate ? deflateRawSync(content) : content;
    const size = e.declaredSize ?? content.length;
    const mode = e.mode ?? (e.name.endsWith("/") ? 0o40755 : 0o100644);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt16LE(DOS_DATE_1980, 12);
    local.writeUInt32LE(crc32(content), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: the external attributes hold a mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(UTF8_FLAG, 8);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt16LE(DOS_DATE_1980, 14);
    central.writeUInt32LE(crc32(content), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    const shared = e.sharesDataOf === undefined ? undefined : offsets[e.sharesDataOf];
    central.writeUInt32LE(shared ?? offset, 42);
    offsets.push(shared ?? offset);
    centrals.push(central, name);
    if (shared !== undefined) continue;
    locals.push(local, name, data);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
