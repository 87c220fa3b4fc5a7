// Zips a function folder's files in memory (yazl) with a fixed timestamp, so that
// an unchanged folder gives the same bytes, hence the same CodeSha256, and deploy
// can tell that the code has not changed.
import { createHash } from "node:crypto";
import yazl from "yazl";
import { CliError } from "./errors.js";
import type { FolderFile } from "./folder-files.js";
import { bytes } from "./output.js";

/** Lambda's cap on a zip uploaded directly (not through S3). */
export const ZIP_LIMIT = 50 * 1024 * 1024;

const EPOCH = new Date("1980-01-01T00:00:00Z");

export interface FolderZip {
  zip: Buffer;
  /** As Lambda reports it: base64 of the SHA-256 of the zip. */
  sha256: string;
  files: number;
}

export async function zipFiles(files: FolderFile[]): Promise<FolderZip> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addFile(f.file, f.name, { mtime: EPOCH, mode: f.mode | 0o100000 });
  zip.end();
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", resolve);
    zip.outputStream.on("error", reject);
  });
  const buf = Buffer.concat(chunks);
  return { zip: buf, sha256: createHash("sha256").update(buf).digest("base64"), files: files.length };
}

/** Refuses a zip over ZIP_LIMIT before it is sent, rather than part-way through its upload. */
export function checkZipSize(size: number): void {
  if (size > ZIP_LIMIT) {
    throw new CliError(
      "ZipTooLarge",
      `the zip is ${bytes(size)}; Lambda takes at most ${bytes(ZIP_LIMIT)} zipped: leave files out with .stratusignore`,
    );
  }
}
